//! Credentials that auths add are marked as secrets, so that a request's
//! `Debug` output hides them whatever the header or parameter is called.

use super::*;

#[tokio::test(start_paused = true)]
async fn every_credential_is_hidden_in_request_debug_whatever_its_name() {
    let cases = [
        Client::builder("https://api.test").bearer_token("sk_secret_1"),
        Client::builder("https://api.test").api_key("X-Client", "k_secret_2"),
        Client::builder("https://api.test").api_key_query("appid", "k_secret_3"),
        Client::builder("https://api.test").basic_auth("u", "pw_secret_4"),
        Client::builder("https://api.test").auth(
            OAuth2::client_credentials(TOKEN_URL, "c", "cs_secret_5")
                .initial_tokens(TokenSet::new("at_secret_6")),
        ),
    ];
    let secrets = [
        "sk_secret_1",
        "k_secret_2",
        "k_secret_3",
        "pw_secret_4",
        "cs_secret_5",
        "at_secret_6",
        // base64 of "u:pw_secret_4"
        "dTpwd19zZWNyZXRfNA",
    ];
    for builder in cases {
        let mock = MockTransport::new();
        let client = builder.transport(mock.clone()).build().expect("client");
        let mut request = get("/x");
        request.url_mut().set_query(Some("page=2"));
        client.execute(request).await.expect("sent");
        let sent = mock.last_request().expect("sent");
        let shown = format!("{sent:?} {sent:#?}");
        for secret in secrets {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
        assert!(shown.contains("page=2"), "{shown}");
        for (name, value) in sent.headers() {
            if ["authorization", "x-client"].contains(&name.as_str()) {
                assert!(value.is_sensitive(), "{name} is not marked sensitive");
            }
        }
    }
}

#[tokio::test(start_paused = true)]
async fn token_request_credentials_are_marked_sensitive() {
    let mock = MockTransport::new().route(
        Method::POST,
        "/oauth/token",
        MockResponse::json(200, &serde_json::json!({"access_token": "at_1"})),
    );
    let client = client(
        mock.clone(),
        OAuth2::client_credentials(TOKEN_URL, "c", "cs_1"),
    );
    client.execute(get("/me")).await.expect("sent");
    let sent = mock.requests();
    assert_eq!(sent.len(), 2);
    for request in &sent {
        let value = request.headers().get("authorization").expect("credentials");
        assert!(value.is_sensitive(), "{request:?}");
    }
}
