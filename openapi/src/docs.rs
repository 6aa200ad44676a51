//! Doc comments from a spec's `summary`, `description` and `title`.

/// The doc lines of the given texts, in order, a blank line between each.
/// An unlabelled code fence is labelled `text`, so rustdoc never runs a
/// spec's shell snippet as a doctest.
pub(crate) fn lines(parts: &[Option<&str>]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for part in parts.iter().flatten() {
        let part = part.trim();
        // A summary repeated as the description says nothing new.
        if part.is_empty() || seen.contains(&part) {
            continue;
        }
        seen.push(part);
        if !out.is_empty() {
            out.push(String::new());
        }
        let mut in_fence = false;
        for line in part.lines() {
            let line = line.trim_end();
            let fence = line.trim_start().starts_with("```");
            if fence && !in_fence && line.trim_start() == "```" {
                out.push(line.replace("```", "```text"));
            } else {
                out.push(line.to_owned());
            }
            if fence {
                in_fence = !in_fence;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::lines;

    #[test]
    fn joins_parts_and_labels_bare_fences() {
        assert_eq!(
            lines(&[
                Some("List pets"),
                None,
                Some("All of them.\n```\ncurl x\n```\n```json\n{}\n```")
            ]),
            [
                "List pets",
                "",
                "All of them.",
                "```text",
                "curl x",
                "```",
                "```json",
                "{}",
                "```"
            ]
        );
        assert_eq!(lines(&[Some("Same"), Some("Same")]), ["Same"]);
    }
}
