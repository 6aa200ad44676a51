//! A local stand-in for the few GitHub REST endpoints the `github` example
//! calls, answering as GitHub documents them: `Link` pagination with absolute
//! URLs, `{"message": "Not Found", ..}` errors, and `Bad credentials` without
//! a token.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use serde_json::{Value, json};

/// The token the stand-in accepts (`Authorization: Bearer ghp_standin`).
pub const TOKEN: &str = "ghp_standin";
/// The one repository it serves.
pub const OWNER: &str = "restrait-rs";
/// The one repository it serves.
pub const REPO: &str = "restrait";
/// How many open issues that repository has.
pub const OPEN_ISSUES: u64 = 57;

#[derive(Default)]
struct Seen {
    /// Requests per route.
    hits: BTreeMap<String, u32>,
    /// Requests whose `Accept` was not `application/vnd.github+json`.
    wrong_accept: u32,
}

/// A running stand-in.
#[derive(Clone)]
pub struct GithubStandin {
    addr: SocketAddr,
    seen: Arc<Mutex<Seen>>,
}

#[derive(Clone)]
struct Shared {
    addr: SocketAddr,
    seen: Arc<Mutex<Seen>>,
}

impl GithubStandin {
    /// Serves on a free port of 127.0.0.1.
    pub async fn start() -> std::io::Result<GithubStandin> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let seen = Arc::new(Mutex::new(Seen::default()));
        let app = Router::new()
            .route("/repos/{owner}/{repo}", get(repository))
            .route("/repos/{owner}/{repo}/issues", get(issues))
            .route(
                "/repos/{owner}/{repo}/issues/{number}/comments",
                get(comments),
            )
            .with_state(Shared {
                addr,
                seen: seen.clone(),
            });
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(GithubStandin { addr, seen })
    }

    /// Its base URL, in place of `https://api.github.com`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// How many requests `route` (e.g. `GET /repos/{owner}/{repo}/issues`) received.
    pub fn hits(&self, route: &str) -> u32 {
        lock(&self.seen).hits.get(route).copied().unwrap_or(0)
    }

    /// How many requests it received.
    pub fn requests(&self) -> u32 {
        lock(&self.seen).hits.values().sum()
    }

    /// How many requests came without `Accept: application/vnd.github+json`.
    pub fn wrong_accept(&self) -> u32 {
        lock(&self.seen).wrong_accept
    }
}

fn lock(seen: &Mutex<Seen>) -> MutexGuard<'_, Seen> {
    seen.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Counts the request; returns GitHub's 401 when the token is wrong.
fn check(shared: &Shared, route: &str, headers: &HeaderMap) -> Option<Response> {
    let mut seen = lock(&shared.seen);
    *seen.hits.entry(route.to_owned()).or_default() += 1;
    if headers.get(header::ACCEPT).and_then(|v| v.to_str().ok())
        != Some("application/vnd.github+json")
    {
        seen.wrong_accept += 1;
    }
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if token == Some(TOKEN) {
        return None;
    }
    Some(error(StatusCode::UNAUTHORIZED, "Bad credentials", "rest"))
}

fn error(status: StatusCode, message: &str, docs: &str) -> Response {
    let body = json!({
        "message": message,
        "documentation_url": format!("https://docs.github.com/{docs}"),
        "status": status.as_str(),
    });
    (status, axum::Json(body)).into_response()
}

fn not_found() -> Response {
    error(
        StatusCode::NOT_FOUND,
        "Not Found",
        "rest/repos/repos#get-a-repository",
    )
}

async fn repository(
    State(shared): State<Shared>,
    Path((owner, repo)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    if let Some(denied) = check(&shared, "GET /repos/{owner}/{repo}", &headers) {
        return denied;
    }
    if (owner.as_str(), repo.as_str()) != (OWNER, REPO) {
        return not_found();
    }
    axum::Json(json!({
        "id": 1296269,
        "name": REPO,
        "full_name": format!("{OWNER}/{REPO}"),
        "description": "Declarative HTTP API clients for Rust",
        "stargazers_count": 1312,
        "open_issues_count": OPEN_ISSUES,
        "default_branch": "main",
    }))
    .into_response()
}

#[derive(Deserialize)]
struct IssueQuery {
    state: Option<String>,
    labels: Option<String>,
    per_page: Option<u64>,
    page: Option<u64>,
}

/// `Link: <..&page=2>; rel="next", <..&page=3>; rel="last"`, as GitHub sends it.
fn link_header(shared: &Shared, owner: &str, repo: &str, q: &IssueQuery, pages: u64) -> String {
    let page = q.page.unwrap_or(1);
    let url = |n: u64| {
        let mut query = Vec::new();
        if let Some(state) = &q.state {
            query.push(format!("state={state}"));
        }
        if let Some(labels) = &q.labels {
            query.push(format!("labels={labels}"));
        }
        if let Some(per_page) = q.per_page {
            query.push(format!("per_page={per_page}"));
        }
        query.push(format!("page={n}"));
        format!(
            "<http://{}/repos/{owner}/{repo}/issues?{}>",
            shared.addr,
            query.join("&")
        )
    };
    let mut links = Vec::new();
    if page > 1 {
        links.push(format!("{}; rel=\"prev\"", url(page - 1)));
        links.push(format!("{}; rel=\"first\"", url(1)));
    }
    if page < pages {
        links.push(format!("{}; rel=\"next\"", url(page + 1)));
        links.push(format!("{}; rel=\"last\"", url(pages)));
    }
    links.join(", ")
}

async fn issues(
    State(shared): State<Shared>,
    Path((owner, repo)): Path<(String, String)>,
    Query(q): Query<IssueQuery>,
    headers: HeaderMap,
) -> Response {
    if let Some(denied) = check(&shared, "GET /repos/{owner}/{repo}/issues", &headers) {
        return denied;
    }
    if (owner.as_str(), repo.as_str()) != (OWNER, REPO) {
        return not_found();
    }
    let all: Vec<Value> = (1..=OPEN_ISSUES)
        .rev()
        .map(|number| {
            let label = if number % 6 == 0 {
                "bug"
            } else {
                "enhancement"
            };
            json!({
                "number": number,
                "title": title(number),
                "state": "open",
                "user": {"login": LOGINS[(number % 4) as usize]},
                "labels": [{"name": label}],
                "comments": number % 7,
                "comments_url": format!(
                    "http://{}/repos/{owner}/{repo}/issues/{number}/comments",
                    shared.addr
                ),
            })
        })
        .filter(|issue| match q.labels.as_deref() {
            Some(label) => issue["labels"][0]["name"] == label,
            None => true,
        })
        .filter(|_| matches!(q.state.as_deref(), None | Some("open" | "all")))
        .collect();
    let per_page = q.per_page.unwrap_or(30).clamp(1, 100);
    let page = q.page.unwrap_or(1).max(1);
    let pages = (all.len() as u64).div_ceil(per_page).max(1);
    let body: Vec<Value> = all
        .into_iter()
        .skip(((page - 1) * per_page) as usize)
        .take(per_page as usize)
        .collect();
    let link = link_header(&shared, &owner, &repo, &q, pages);
    let mut response = axum::Json(body).into_response();
    if !link.is_empty()
        && let Ok(value) = link.parse()
    {
        response.headers_mut().insert(header::LINK, value);
    }
    response
}

/// An issue's comments, at the `comments_url` the issue names.
async fn comments(
    State(shared): State<Shared>,
    Path((owner, repo, number)): Path<(String, String, u64)>,
    headers: HeaderMap,
) -> Response {
    let route = "GET /repos/{owner}/{repo}/issues/{number}/comments";
    if let Some(denied) = check(&shared, route, &headers) {
        return denied;
    }
    if (owner.as_str(), repo.as_str()) != (OWNER, REPO) || number == 0 || number > OPEN_ISSUES {
        return not_found();
    }
    let body: Vec<Value> = (0..number % 7)
        .map(|i| {
            json!({
                "id": number * 100 + i,
                "user": {"login": LOGINS[((number + i) % 4) as usize]},
                "body": format!("comment {} on #{number}", i + 1),
            })
        })
        .collect();
    axum::Json(body).into_response()
}

const LOGINS: [&str; 4] = ["ada", "grace", "alan", "barbara"];

fn title(number: u64) -> String {
    const TOPICS: [&str; 6] = [
        "Retry-After as an HTTP date is off by one second",
        "Support multipart bodies",
        "Document OAuth2 token rotation",
        "Paginator: expose the total count",
        "Expose connection pool stats",
        "Link header with unquoted rel",
    ];
    TOPICS[(number % 6) as usize].to_owned()
}
