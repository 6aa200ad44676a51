//! A GitHub REST client declared as GitHub documents it: the
//! `application/vnd.github+json` media type, a token, issues paged by the
//! `Link` header, an issue's `comments_url` followed with `#[url]`, and a
//! 404 matched as a typed error with GitHub's error body decoded.
//!
//! ```text
//! cargo run --example github                        # against a local stand-in
//! GITHUB_TOKEN=ghp_... cargo run --example github   # against https://api.github.com
//! ```

use futures::TryStreamExt;
use restrait::{Client, Error, Paginator, Result, resource};
use restrait_examples::github_standin::{self, GithubStandin};
use serde::Deserialize;

/// A repository (`GET /repos/{owner}/{repo}`), the fields this example reads.
#[derive(Debug, Deserialize)]
pub struct Repository {
    /// `owner/name`.
    pub full_name: String,
    /// The description, if any.
    pub description: Option<String>,
    /// Stars.
    pub stargazers_count: u64,
    /// Open issues and pull requests.
    pub open_issues_count: u64,
}

/// An issue (or a pull request: GitHub lists both).
#[derive(Debug, Deserialize)]
pub struct Issue {
    /// Its number in the repository.
    pub number: u64,
    /// Its title.
    pub title: String,
    /// Who opened it.
    pub user: Account,
    /// Set when the "issue" is a pull request.
    pub pull_request: Option<serde_json::Value>,
    /// How many comments it has.
    pub comments: u64,
    /// Where they are: an absolute URL, followed with `#[url]`.
    pub comments_url: String,
}

/// A comment on an issue.
#[derive(Debug, Deserialize)]
pub struct Comment {
    /// Who wrote it.
    pub user: Account,
    /// Its text.
    pub body: String,
}

/// GitHub's error body (<https://docs.github.com/rest/using-the-rest-api/troubleshooting-the-rest-api>).
#[derive(Debug, Deserialize)]
pub struct GithubError {
    /// `Not Found`, `Bad credentials`, `Validation Failed`, ..
    pub message: String,
    /// The page that explains it.
    pub documentation_url: Option<String>,
}

/// A GitHub account.
#[derive(Debug, Deserialize)]
pub struct Account {
    /// Its login.
    pub login: String,
}

/// The endpoints used here, written as <https://docs.github.com/rest> gives them.
/// Error bodies decode into [`GithubError`] (`e.api_error::<GithubError>()`).
#[resource(error = GithubError)]
#[headers(
    "Accept: application/vnd.github+json",
    "X-GitHub-Api-Version: 2022-11-28"
)]
pub trait Github {
    /// [Get a repository](https://docs.github.com/rest/repos/repos#get-a-repository).
    #[get("/repos/{owner}/{repo}")]
    async fn repository(&self, owner: &str, repo: &str) -> Result<Repository>;

    /// [List repository issues](https://docs.github.com/rest/issues/issues#list-repository-issues),
    /// every page: GitHub links the next one in `Link: <..>; rel="next"`.
    #[get("/repos/{owner}/{repo}/issues")]
    #[paginate(link)]
    fn issues(
        &self,
        owner: &str,
        repo: &str,
        #[query] state: Option<&str>,
        #[query] labels: Option<&str>,
        #[query] per_page: Option<u32>,
    ) -> Paginator<Issue>;

    /// [List issue comments](https://docs.github.com/rest/issues/comments#list-issue-comments)
    /// at the `comments_url` an issue hands back: the request goes to that
    /// URL, and the template names the endpoint in traces and errors.
    #[get("/issues/comments")]
    async fn comments(&self, #[url] comments_url: &str) -> Result<Vec<Comment>>;
}

#[tokio::main]
async fn main() -> std::result::Result<(), Box<dyn std::error::Error>> {
    let token = std::env::var("GITHUB_TOKEN").ok().filter(|t| !t.is_empty());
    let (base, token, standin, (owner, repo, label)) = match token {
        Some(token) => (
            "https://api.github.com".to_owned(),
            token,
            None,
            ("rust-lang", "rust", "E-easy"),
        ),
        None => {
            let standin = GithubStandin::start().await?;
            println!("GITHUB_TOKEN is not set: using a local stand-in for api.github.com");
            (
                standin.base_url(),
                github_standin::TOKEN.to_owned(),
                Some(standin),
                (github_standin::OWNER, github_standin::REPO, "bug"),
            )
        }
    };
    println!("restrait GitHub example against {base}\n");

    let client = Client::builder(&base)
        .user_agent("restrait-github-example") // GitHub refuses requests without one
        .bearer_token(token)
        .build()?;
    let github = GithubClient::new(client);

    // 1. One repository, decoded into a struct.
    let repository = github.repository(owner, repo).await?;
    println!(
        "1. GET /repos/{owner}/{repo} -> {}: {:?}, {} stars, {} open issues",
        repository.full_name,
        repository.description.as_deref().unwrap_or(""),
        repository.stargazers_count,
        repository.open_issues_count
    );

    // 2. The first 25 open issues, 10 a page: the stream asks for page 3 only
    //    when the 21st issue is needed, and never for page 4.
    let first: Vec<Issue> = github
        .issues(owner, repo, Some("open"), None, Some(10))
        .max_items(25)
        .try_collect()
        .await?;
    println!(
        "2. GET /repos/{owner}/{repo}/issues?state=open&per_page=10, following `Link: rel=\"next\"` -> the first {} issues{}:",
        first.len(),
        match &standin {
            Some(s) => format!(
                " in {} requests",
                s.hits("GET /repos/{owner}/{repo}/issues")
            ),
            None => String::new(),
        }
    );
    for issue in first.iter().take(3) {
        let kind = if issue.pull_request.is_some() {
            "PR"
        } else {
            "issue"
        };
        println!(
            "     #{} {} ({kind} by @{})",
            issue.number, issue.title, issue.user.login
        );
    }
    println!("     ...");

    // 3. Every open issue with one label, streamed page by page to the end.
    let mut pages = github
        .issues(owner, repo, Some("open"), Some(label), Some(5))
        .max_pages(50)
        .pages();
    let (mut count, mut page_count) = (0, 0);
    while let Some(page) = pages.try_next().await? {
        page_count += 1;
        count += page.items.len();
    }
    println!(
        "3. every open issue labelled `{label}`, 5 a page -> {count} issues over {page_count} pages"
    );

    // 4. The comments of the first issue that has some, at the
    //    `comments_url` GitHub put in the issue (`#[url]`).
    if let Some(issue) = first.iter().find(|i| i.comments > 0) {
        let comments = github.comments(&issue.comments_url).await?;
        println!(
            "4. GET {} (#[url] from the issue) -> {} comments{}",
            issue.comments_url,
            comments.len(),
            comments
                .first()
                .map(|c| format!(", the first by @{}: {:?}", c.user.login, c.body))
                .unwrap_or_default()
        );
    }

    // 5. A repository that does not exist: a typed 404 with GitHub's
    //    message, its body decoded as the resource's `error = GithubError`.
    match github.repository(owner, "no-such-repository").await {
        Err(Error::NotFound(e)) => println!(
            "5. GET /repos/{owner}/no-such-repository -> Error::NotFound: {:?} ({} {}, see {})",
            e.message(),
            e.status(),
            e.path_template(),
            e.api_error::<GithubError>()
                .and_then(|g| g.documentation_url.as_deref())
                .unwrap_or("?")
        ),
        other => println!("5. GET /repos/{owner}/no-such-repository -> unexpected: {other:?}"),
    }

    if let Some(standin) = &standin {
        // A request without the token would have been a 401 above.
        println!(
            "\nthe stand-in got {} requests, each with the bearer token; {} with `Accept: application/vnd.github+json`",
            standin.requests(),
            standin.requests() - standin.wrong_accept()
        );
    }
    Ok(())
}
