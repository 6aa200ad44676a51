//! Latency histogram and medians, without allocating while recording.

/// Sub-buckets per power of two: 32, so a bucket is at most ~3 % wide.
const SUB_BITS: u32 = 5;
const SUB: u64 = 1 << SUB_BITS;
/// Values are clamped below 2^40 ns (about 18 minutes).
const MAX_BITS: u32 = 40;
const BUCKETS: usize = ((MAX_BITS - SUB_BITS + 1) as usize) * SUB as usize;

/// A log-linear histogram of nanoseconds. Recording is an increment into a
/// vector allocated up front, so it does not disturb the allocation counts.
#[derive(Clone, Debug)]
pub(crate) struct Histogram {
    counts: Vec<u64>,
    total: u64,
}

impl Histogram {
    pub(crate) fn new() -> Self {
        Histogram {
            counts: vec![0; BUCKETS],
            total: 0,
        }
    }

    pub(crate) fn record(&mut self, nanos: u64) {
        let v = nanos.min((1 << MAX_BITS) - 1);
        self.counts[index(v)] += 1;
        self.total += 1;
    }

    pub(crate) fn count(&self) -> u64 {
        self.total
    }

    /// The value at quantile `q` (0..=1): the middle of its bucket.
    pub(crate) fn quantile(&self, q: f64) -> u64 {
        if self.total == 0 {
            return 0;
        }
        let rank = ((q * self.total as f64).ceil() as u64).clamp(1, self.total);
        let mut seen = 0;
        for (i, &n) in self.counts.iter().enumerate() {
            seen += n;
            if seen >= rank {
                let (low, width) = bucket(i);
                return low + width / 2;
            }
        }
        0
    }
}

fn index(v: u64) -> usize {
    if v < SUB {
        return v as usize;
    }
    let exp = 63 - v.leading_zeros();
    let shift = exp - SUB_BITS;
    let sub = (v >> shift) - SUB;
    ((u64::from(shift) + 1) * SUB + sub) as usize
}

/// The lowest value of bucket `i`, and its width.
fn bucket(i: usize) -> (u64, u64) {
    let i = i as u64;
    if i < SUB {
        return (i, 1);
    }
    let shift = i / SUB - 1;
    ((SUB + i % SUB) << shift, 1 << shift)
}

/// The median of `values` (the mean of the middle two for an even count);
/// NaN for none.
pub(crate) fn median(values: &[f64]) -> f64 {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let mid = v.len() / 2;
    if v.len() % 2 == 1 {
        v[mid]
    } else {
        (v[mid - 1] + v[mid]) / 2.0
    }
}

/// A distribution-free confidence interval for the median of `values`:
/// the `k`-th smallest and `k`-th largest value, for the largest `k` at
/// which the interval still holds the true median with probability at
/// least `confidence` (whatever the distribution, as long as the values are
/// independent draws from it). `None` when there are too few values for
/// any `k` to reach `confidence` (fewer than 6 for 95%). The interval and
/// its actual coverage, which is at least `confidence`.
///
/// With B ~ Binomial(n, 1/2), the interval [x(k), x(n+1-k)] misses the
/// median with probability 2 P(B <= k-1).
pub(crate) fn median_interval(values: &[f64], confidence: f64) -> Option<Interval> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    let mut below = 0.0; // P(B <= k-1), growing with k
    let mut best = None;
    for k in 1..=n / 2 {
        below += binomial_half(n, k - 1);
        let coverage = 1.0 - 2.0 * below;
        if coverage < confidence {
            break;
        }
        best = Some(Interval {
            low: v[k - 1],
            high: v[n - k],
            coverage,
        });
    }
    best
}

/// An interval from [`median_interval`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Interval {
    pub(crate) low: f64,
    pub(crate) high: f64,
    /// The probability that it holds the median: at least the confidence
    /// asked for.
    pub(crate) coverage: f64,
}

/// P(B = i) for B ~ Binomial(n, 1/2), through logarithms so that a large
/// `n` does not underflow 2^-n.
fn binomial_half(n: usize, i: usize) -> f64 {
    let ln_choose: f64 = (0..i)
        .map(|j| ((n - j) as f64).ln() - ((j + 1) as f64).ln())
        .sum();
    (ln_choose - n as f64 * std::f64::consts::LN_2).exp()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_cover_values_in_order() {
        for v in [
            0,
            1,
            31,
            32,
            33,
            63,
            64,
            65,
            1000,
            123_456_789,
            (1 << 40) - 1,
        ] {
            let (low, width) = bucket(index(v));
            assert!(low <= v && v < low + width, "{v}: [{low}, +{width})");
            assert!(width as f64 <= (v as f64 / SUB as f64).max(1.0), "{v}");
        }
        assert!(index((1 << 40) - 1) < BUCKETS);
    }

    #[test]
    fn quantiles_within_bucket_precision() {
        let mut h = Histogram::new();
        for v in 1..=10_000u64 {
            h.record(v * 1000);
        }
        assert_eq!(h.count(), 10_000);
        for (q, want) in [(0.5, 5_000_000.0), (0.99, 9_900_000.0), (1.0, 10_000_000.0)] {
            let got = h.quantile(q) as f64;
            assert!((got / want - 1.0).abs() < 0.04, "q{q}: {got} vs {want}");
        }
    }

    #[test]
    fn medians() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
        assert!(median(&[]).is_nan());
    }

    #[test]
    fn median_intervals_are_order_statistics_with_their_coverage() {
        let values: Vec<f64> = (1..=12).map(f64::from).collect();
        // n = 12: 2 P(B <= 2) = 2 * 79 / 4096, so k = 3 (k = 4 covers 85%).
        let i = median_interval(&values, 0.95).expect("12 values");
        assert_eq!((i.low, i.high), (3.0, 10.0));
        assert!((i.coverage - (1.0 - 158.0 / 4096.0)).abs() < 1e-12);
        // n = 8: only [min, max] reaches 95% (99.2%; k = 2 covers 93%).
        let i = median_interval(&[8.0, 1.0, 7.0, 2.0, 6.0, 3.0, 5.0, 4.0], 0.95).expect("8");
        assert_eq!((i.low, i.high), (1.0, 8.0));
        // n = 5: even [min, max] covers only 93.75%.
        assert_eq!(median_interval(&[1.0, 2.0, 3.0, 4.0, 5.0], 0.95), None);
        assert_eq!(median_interval(&[], 0.95), None);
    }

    #[test]
    fn median_intervals_narrow_as_values_grow() {
        // 1,000 values: k is about n/2 - 1.96 sqrt(n)/2 = 469, with no underflow.
        let values: Vec<f64> = (0..1000).map(f64::from).collect();
        let i = median_interval(&values, 0.95).expect("1000 values");
        assert!((465.0..=475.0).contains(&i.low), "{i:?}");
        assert_eq!(i.low + i.high, 999.0);
        assert!(i.coverage >= 0.95 && i.coverage < 0.96, "{i:?}");
    }
}
