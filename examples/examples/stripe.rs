//! A Stripe client declared as Stripe documents it: form-encoded bodies,
//! idempotency keys on POSTs, `has_more` + `starting_after` pagination, and
//! `{"error": {..}}` bodies turned into typed errors with Stripe's message.
//!
//! ```text
//! cargo run --example stripe                                # against a local stand-in
//! STRIPE_API_KEY=sk_test_... cargo run --example stripe     # against https://api.stripe.com
//! ```
//!
//! With a key it creates one customer in your test-mode account; live keys
//! (`sk_live_..`) are refused.

use futures::TryStreamExt;
use restrait::{Client, Error, Paginator, Response, Result, resource};
use restrait_examples::stripe_standin::{self, StripeStandin};
use serde::{Deserialize, Serialize};

/// A customer, the fields this example reads.
#[derive(Debug, Deserialize)]
pub struct Customer {
    /// `cus_..`.
    pub id: String,
    /// The full name.
    pub name: Option<String>,
    /// The email address.
    pub email: Option<String>,
}

/// The form of [Create a customer](https://docs.stripe.com/api/customers/create).
#[derive(Serialize)]
pub struct NewCustomer<'a> {
    /// The email address.
    pub email: &'a str,
    /// The full name.
    pub name: &'a str,
    /// A note for your own use.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<&'a str>,
}

/// The form of [Create a PaymentIntent](https://docs.stripe.com/api/payment_intents/create).
#[derive(Serialize)]
pub struct NewPaymentIntent<'a> {
    /// In the currency's smallest unit (cents).
    pub amount: u64,
    /// A three-letter ISO code, lowercase.
    pub currency: &'a str,
}

/// A PaymentIntent, the fields this example reads.
#[derive(Debug, Deserialize)]
pub struct PaymentIntent {
    /// `pi_..`.
    pub id: String,
    /// Its status.
    pub status: String,
}

/// Stripe's error body: `{"error": {"type", "code", "message", "param"}}`.
#[derive(Debug, Deserialize)]
pub struct StripeError {
    /// The error.
    pub error: StripeErrorBody,
}

/// The inside of [`StripeError`] (<https://docs.stripe.com/api/errors>).
#[derive(Debug, Deserialize)]
pub struct StripeErrorBody {
    /// `api_error`, `card_error`, `invalid_request_error`, ..
    #[serde(rename = "type")]
    pub kind: String,
    /// A short code such as `resource_missing`.
    pub code: Option<String>,
    /// The parameter the error is about.
    pub param: Option<String>,
}

/// The endpoints used here, written as <https://docs.stripe.com/api> gives them.
/// Every error body is Stripe's `{"error": {..}}`: `error = StripeError`
/// decodes it once, reached with `e.api_error::<StripeError>()`.
#[resource(error = StripeError)]
pub trait Stripe {
    /// [Create a customer](https://docs.stripe.com/api/customers/create):
    /// every attempt carries the same `Idempotency-Key`.
    #[post("/v1/customers")]
    #[idempotent]
    async fn create_customer(
        &self,
        #[form] customer: &NewCustomer<'_>,
    ) -> Result<Response<Customer>>;

    /// [Retrieve a customer](https://docs.stripe.com/api/customers/retrieve).
    #[get("/v1/customers/{customer}")]
    async fn customer(&self, customer: &str) -> Result<Customer>;

    /// [List all customers](https://docs.stripe.com/api/customers/list),
    /// newest first, every page: while `has_more`, the next page starts
    /// after the last customer's `id`.
    #[get("/v1/customers")]
    #[paginate(
        has_more = "has_more",
        param = "starting_after",
        id = "id",
        items = "data"
    )]
    fn customers(
        &self,
        #[query] limit: Option<u32>,
        #[query] email: Option<&str>,
    ) -> Paginator<Customer>;

    /// [Create a PaymentIntent](https://docs.stripe.com/api/payment_intents/create).
    #[post("/v1/payment_intents")]
    #[idempotent]
    async fn create_payment_intent(
        &self,
        #[form] intent: &NewPaymentIntent<'_>,
    ) -> Result<PaymentIntent>;
}

#[tokio::main]
async fn main() -> std::result::Result<(), Box<dyn std::error::Error>> {
    let key = std::env::var("STRIPE_API_KEY")
        .ok()
        .filter(|k| !k.is_empty());
    let (base, key, standin) = match key {
        Some(key) if key.starts_with("sk_test_") => {
            ("https://api.stripe.com".to_owned(), key, None)
        }
        Some(_) => {
            return Err("STRIPE_API_KEY must be a test-mode key (sk_test_..): this example creates a customer".into());
        }
        None => {
            let standin = StripeStandin::start().await?;
            println!("STRIPE_API_KEY is not set: using a local stand-in for api.stripe.com");
            (
                standin.base_url(),
                stripe_standin::API_KEY.to_owned(),
                Some(standin),
            )
        }
    };
    println!("restrait Stripe example against {base}\n");

    let client = Client::builder(&base)
        .user_agent("restrait-stripe-example")
        .bearer_token(key)
        .build()?;
    let stripe = StripeClient::new(client);

    // 1. A form-encoded POST, marked #[idempotent]: the stand-in does the
    //    work, then "loses" its answer (503); the retry carries the same
    //    Idempotency-Key, so Stripe replays the result instead of creating
    //    a second customer.
    let created = stripe
        .create_customer(&NewCustomer {
            email: "hedy@example.com",
            name: "Hedy Lamarr",
            description: Some("created by restrait's stripe example"),
        })
        .await?;
    let replayed = created
        .headers()
        .get("idempotent-replayed")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("false");
    let hedy = created.value();
    println!(
        "1. POST /v1/customers (#[form], #[idempotent]) -> {} {:?} after {} attempts (Idempotent-Replayed: {replayed})",
        hedy.id,
        hedy.name.as_deref().unwrap_or(""),
        created.attempts()
    );
    if let Some(standin) = &standin {
        let keys = standin.idempotency_keys();
        let same = keys.windows(2).all(|w| w[0] == w[1]);
        println!(
            "   {} attempts, {} Idempotency-Key ({}); the stand-in now has {} customers, not {}",
            keys.len(),
            if same { "one" } else { "different" },
            keys.first().map_or("", String::as_str),
            standin.customers(),
            standin.customers() + 1
        );
    }

    // 2. Every customer, 5 a page, newest first: the stream sends
    //    `starting_after=<last id>` while the page says `has_more`.
    let customers: Vec<Customer> = stripe
        .customers(Some(5), None)
        .max_items(100)
        .try_collect()
        .await?;
    let newest: Vec<&str> = customers
        .iter()
        .take(3)
        .filter_map(|c| c.name.as_deref())
        .collect();
    println!(
        "2. GET /v1/customers?limit=5, paged by has_more + starting_after -> {} customers{}; newest: {}",
        customers.len(),
        match &standin {
            Some(s) => format!(" in {} requests", s.hits("GET /v1/customers")),
            None => String::new(),
        },
        newest.join(", ")
    );

    // 3. A customer that does not exist: Stripe's 404 is Error::NotFound,
    //    with Stripe's message, and its body already decoded as the
    //    resource's `error = StripeError`.
    match stripe.customer("cus_doesnotexist").await {
        Err(Error::NotFound(e)) => {
            let code = e
                .api_error::<StripeError>()
                .and_then(|s| s.error.code.as_deref());
            println!(
                "3. GET /v1/customers/cus_doesnotexist -> Error::NotFound: {:?} (code {})",
                e.message(),
                code.unwrap_or("?")
            );
        }
        other => println!("3. GET /v1/customers/cus_doesnotexist -> unexpected: {other:?}"),
    }

    // 4. A PaymentIntent below Stripe's minimum: a 400 is Error::Validation.
    match stripe
        .create_payment_intent(&NewPaymentIntent {
            amount: 10,
            currency: "usd",
        })
        .await
    {
        Err(Error::Validation(e)) => {
            let details = e.api_error::<StripeError>().map(|s| &s.error);
            println!(
                "4. POST /v1/payment_intents amount=10 -> Error::Validation: {:?} ({} {}, param `{}`)",
                e.message(),
                details.as_ref().map_or("?", |d| d.kind.as_str()),
                details
                    .as_ref()
                    .and_then(|d| d.code.as_deref())
                    .unwrap_or("?"),
                details
                    .as_ref()
                    .and_then(|d| d.param.as_deref())
                    .unwrap_or("?"),
            );
        }
        Ok(intent) => println!(
            "4. POST /v1/payment_intents amount=10 -> unexpectedly accepted: {} ({})",
            intent.id, intent.status
        ),
        Err(other) => println!("4. POST /v1/payment_intents amount=10 -> {other}"),
    }
    Ok(())
}
