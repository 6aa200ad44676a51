//! A sample of the generated GitHub client against Prism
//! (`@stoplight/prism-cli`), mocking GitHub's own spec with request
//! validation on (`prism mock --errors`): every call must be answered with a
//! success, and Prism must log no violation.
//!
//! The client is six tags of the spec (`licenses`, `markdown`, `gitignore`,
//! `meta`, `campaigns`, `enterprise-teams`: 22 operations with path, query
//! and JSON or raw bodies), checked in under `tests/snapshots/github/` so
//! that this target compiles a small client, not the whole API;
//! `github_sample_is_current` keeps the files equal to what the generator
//! writes now (`RESTRAIT_OPENAPI_BLESS=1` rewrites them).
//!
//! Prism is installed by `tests/prism/install.sh` (npm, into
//! `tests/prism/node_modules`) when it is missing; if it cannot be
//! installed or started, the test fails.

#![deny(warnings)]

/// Six tags of GitHub's REST API, as generated.
pub mod github {
    /// `licenses`.
    pub mod licenses {
        include!("snapshots/github/licenses.rs");
    }
    /// `markdown`.
    pub mod markdown {
        include!("snapshots/github/markdown.rs");
    }
    /// `gitignore`.
    pub mod gitignore {
        include!("snapshots/github/gitignore.rs");
    }
    /// `meta`.
    pub mod meta {
        include!("snapshots/github/meta.rs");
    }
    /// `campaigns`.
    pub mod campaigns {
        include!("snapshots/github/campaigns.rs");
    }
    /// `enterprise-teams`.
    pub mod enterprise_teams {
        include!("snapshots/github/enterprise_teams.rs");
    }
}

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use futures::StreamExt;
use restrait::Client;
use restrait_openapi::{Options, generate};

mod support;
use support::github_spec;

/// The tags of the sample, and the file each is generated into.
const TAGS: &[(&str, &str)] = &[
    ("licenses", "licenses"),
    ("markdown", "markdown"),
    ("gitignore", "gitignore"),
    ("meta", "meta"),
    ("campaigns", "campaigns"),
    ("enterprise-teams", "enterprise_teams"),
];

fn tests_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests")
}

#[test]
fn github_sample_is_current() {
    let spec = github_spec();
    for (tag, file) in TAGS {
        let code = generate(&spec, &Options::new().tag(*tag))
            .expect("generate")
            .code;
        let path = tests_dir().join(format!("snapshots/github/{file}.rs"));
        if std::env::var_os("RESTRAIT_OPENAPI_BLESS").is_some() {
            std::fs::write(&path, &code).expect("write the snapshot");
            continue;
        }
        let expected = std::fs::read_to_string(&path).expect("read the snapshot");
        assert!(
            code == expected,
            "{} differs from what the tag `{tag}` generates now; rerun with RESTRAIT_OPENAPI_BLESS=1 and review the diff",
            path.display()
        );
    }
}

/// A running `prism mock --errors`, ended when dropped.
struct Prism {
    child: Child,
    url: String,
    log: Arc<Mutex<Vec<String>>>,
}

impl Prism {
    /// Installs Prism if needed and starts it on `spec`; panics (never
    /// skips) when either fails.
    fn start(spec: &Path) -> Prism {
        let dir = tests_dir().join("prism");
        let install = Command::new("bash")
            .arg(dir.join("install.sh"))
            .output()
            .expect("run tests/prism/install.sh (is bash there?)");
        assert!(
            install.status.success(),
            "tests/prism/install.sh could not install Prism:\n{}{}",
            String::from_utf8_lossy(&install.stdout),
            String::from_utf8_lossy(&install.stderr)
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let mut child = Command::new(dir.join("node_modules/.bin/prism"))
            .args(["mock", "--errors", "--host", "127.0.0.1", "--port"])
            .arg(port.to_string())
            .arg(spec)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start Prism");
        let log = Arc::new(Mutex::new(Vec::new()));
        let (ready, listening) = mpsc::channel();
        for stream in [
            child
                .stdout
                .take()
                .map(|s| Box::new(s) as Box<dyn Read + Send>),
            child
                .stderr
                .take()
                .map(|s| Box::new(s) as Box<dyn Read + Send>),
        ]
        .into_iter()
        .flatten()
        {
            let (log, ready) = (Arc::clone(&log), ready.clone());
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    if line.contains("Prism is listening") {
                        let _ = ready.send(());
                    }
                    log.lock().expect("log").push(line);
                }
            });
        }
        let mut prism = Prism {
            child,
            url: format!("http://127.0.0.1:{port}"),
            log,
        };
        // Loading the 13 MB spec takes a few seconds; the bound only keeps
        // a broken start from hanging the suite.
        let started = Instant::now();
        while listening.recv_timeout(Duration::from_millis(200)).is_err() {
            if let Ok(Some(status)) = prism.child.try_wait() {
                panic!(
                    "Prism exited ({status}) before listening:\n{}",
                    prism.tail(40)
                );
            }
            assert!(
                started.elapsed() < Duration::from_secs(300),
                "Prism did not start listening:\n{}",
                prism.tail(40)
            );
        }
        prism
    }

    fn lines(&self) -> Vec<String> {
        self.log.lock().expect("log").clone()
    }

    fn tail(&self, n: usize) -> String {
        let lines = self.lines();
        lines[lines.len().saturating_sub(n)..].join("\n")
    }

    /// The log once `done` holds of it, or after 30 s: Prism's lines come
    /// in on threads of their own, after the responses they go with.
    async fn settled(&self, done: impl Fn(&[String]) -> bool) -> Vec<String> {
        let started = Instant::now();
        loop {
            let lines = self.lines();
            if done(&lines) || started.elapsed() > Duration::from_secs(30) {
                return lines;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// What Prism reported about the requests it validated.
fn violations_in(lines: &[String]) -> Vec<String> {
    lines
        .iter()
        .filter(|l| {
            l.contains("Violation")
                || (l.contains("[VALIDATOR]") && !l.contains("passed the validation rules"))
        })
        .cloned()
        .collect()
}

fn requests_in(lines: &[String]) -> usize {
    lines
        .iter()
        .filter(|l| l.contains("Request received"))
        .count()
}

impl Drop for Prism {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Breaks the spec on purpose: `per_page` is an integer there.
#[restrait::resource(client = "Control")]
pub trait BadLicenses {
    /// `GET /licenses?per_page=<not a number>`.
    #[get("/licenses")]
    async fn licenses(&self, #[query] per_page: &str) -> restrait::Result<String>;
}

/// One page of a paginated call: the mock's example `Link` points to
/// api.github.com, which a paginator rightly refuses to follow.
async fn first_page<T>(paginator: restrait::Paginator<T>) -> restrait::Result<()>
where
    T: serde::de::DeserializeOwned + Send + 'static,
{
    match paginator.pages().next().await {
        Some(page) => page.map(drop),
        None => Ok(()),
    }
}

/// The `sl-violations` header Prism answers an invalid exchange with.
fn violations_of(error: &restrait::Error) -> String {
    error
        .api()
        .and_then(|e| e.headers().get("sl-violations"))
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// Whether every violation Prism names is in its own response.
fn response_only(error: &restrait::Error) -> bool {
    let Ok(serde_json::Value::Array(list)) = serde_json::from_str(&violations_of(error)) else {
        return false;
    };
    !list.is_empty()
        && list
            .iter()
            .all(|v| v.pointer("/location/0").and_then(|l| l.as_str()) == Some("response"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn github_sample_calls_pass_prism_validation() {
    use campaigns::CampaignsApi as _;
    use enterprise_teams::EnterpriseTeamsApi as _;
    use github::{campaigns, enterprise_teams, gitignore, licenses, markdown, meta};
    use gitignore::GitignoreApi as _;
    use licenses::LicensesApi as _;
    use markdown::MarkdownApi as _;
    use meta::MetaApi as _;

    let spec = std::env::temp_dir().join(format!(
        "restrait-prism-api.github.com-{}.json",
        std::process::id()
    ));
    std::fs::write(&spec, github_spec()).expect("write the spec for Prism");
    let prism = Prism::start(&spec);
    let client = Client::builder(prism.url.as_str())
        .retry(restrait::RetryPolicy::default().max_retries(0))
        .build()
        .expect("client");

    let mut calls = 0;
    let mut failures = Vec::new();
    let mut bad_examples = Vec::new();
    let mut record = |name: &str, outcome: restrait::Result<()>| {
        calls += 1;
        match outcome {
            Ok(()) => {}
            // Prism checks its own answer too: a 500 whose violations are
            // all in the response means the spec's example does not match
            // the spec's schema. Not the client's doing: counted apart.
            Err(e) if response_only(&e) => {
                bad_examples.push(format!("{name}: {}", violations_of(&e)))
            }
            Err(e) => failures.push(format!("{name}: {e} {}", violations_of(&e))),
        }
    };

    let licenses = licenses::LicensesApiClient::new(client.clone());
    record(
        "licenses/get-all-commonly-used",
        licenses
            .get_all_commonly_used(Some(true), Some(5), Some(1))
            .await
            .map(drop),
    );
    record("licenses/get", licenses.get("mit").await.map(drop));
    record(
        "licenses/get-for-repo",
        licenses
            .get_for_repo("octocat", "hello-world", None)
            .await
            .map(drop),
    );

    let markdown = markdown::MarkdownApiClient::new(client.clone());
    let request = markdown::MarkdownRenderRequest {
        text: "Hello **world**".into(),
        mode: Some(markdown::MarkdownRenderRequestMode::Gfm),
        context: Some("octocat/hello-world".into()),
    };
    record("markdown/render", markdown.render(&request).await.map(drop));
    record(
        "markdown/render-raw",
        markdown
            .render_raw(restrait::bytes::Bytes::from_static(b"# Hello"))
            .await
            .map(drop),
    );

    let gitignore = gitignore::GitignoreApiClient::new(client.clone());
    record(
        "gitignore/get-all-templates",
        gitignore.get_all_templates().await.map(drop),
    );
    record(
        "gitignore/get-template",
        gitignore.get_template("Rust").await.map(drop),
    );

    let meta = meta::MetaApiClient::new(client.clone());
    record("meta/root", meta.root().await.map(drop));
    record("meta/get", meta.get().await.map(drop));
    record(
        "meta/get-octocat",
        meta.get_octocat(Some("hi")).await.map(drop),
    );
    record(
        "meta/get-all-versions",
        meta.get_all_versions().await.map(drop),
    );
    record("meta/get-zen", meta.get_zen().await.map(drop));

    let campaigns = campaigns::CampaignsApiClient::new(client.clone());
    record(
        "campaigns/list-org-campaigns",
        first_page(campaigns.list_org_campaigns(
            "acme",
            Some(1),
            Some(10),
            Some(campaigns::CampaignsListOrgCampaignsDirection::Desc),
            None,
            None,
        ))
        .await,
    );
    let new_campaign = campaigns::CampaignsCreateCampaignRequest::Object(serde_json::json!({
        "name": "Fix SQL injections",
        "description": "Fix the SQL injections in the web app",
        "ends_at": "2030-01-01T00:00:00Z",
        "code_scanning_alerts": [{"repository_id": 1, "alert_numbers": [1, 2]}]
    }));
    record(
        "campaigns/create-campaign",
        campaigns
            .create_campaign("acme", &new_campaign)
            .await
            .map(drop),
    );
    record(
        "campaigns/get-campaign-summary",
        campaigns.get_campaign_summary("acme", 3).await.map(drop),
    );
    let update = campaigns::CampaignsUpdateCampaignRequest {
        name: Some("Renamed".into()),
        description: None,
        contact_link: None,
        ends_at: None,
        managers: None,
        state: None,
        team_managers: None,
    };
    record(
        "campaigns/update-campaign",
        campaigns
            .update_campaign("acme", 3, &update)
            .await
            .map(drop),
    );
    record(
        "campaigns/delete-campaign",
        campaigns.delete_campaign("acme", 3).await.map(drop),
    );

    let teams = enterprise_teams::EnterpriseTeamsApiClient::new(client.clone());
    record(
        "enterprise-teams/list",
        first_page(teams.list("acme", Some(30), Some(1))).await,
    );
    let team = enterprise_teams::EnterpriseTeamsCreateRequest {
        name: "Justice League".into(),
        description: Some("A great team".into()),
        group_id: None,
        notification_setting: None,
        organization_selection_type: None,
        sync_to_organizations: None,
    };
    record(
        "enterprise-teams/create",
        teams.create("acme", &team).await.map(drop),
    );
    record(
        "enterprise-teams/get",
        teams.get("acme", "justice-league").await.map(drop),
    );
    let rename = enterprise_teams::EnterpriseTeamsUpdateRequest {
        name: Some("Justice Society".into()),
        description: None,
        group_id: None,
        notification_setting: None,
        organization_selection_type: None,
        sync_to_organizations: None,
    };
    record(
        "enterprise-teams/update",
        teams
            .update("acme", "justice-league", &rename)
            .await
            .map(drop),
    );
    record(
        "enterprise-teams/delete",
        teams.delete("acme", "justice-league").await.map(drop),
    );

    // The control: a request that breaks the spec is seen as one. It is
    // the last request, so once its violation is in the log, so is every
    // line about the calls before it (Prism logs them in order).
    let control = Control::new(client.clone()).licenses("many").await;
    let reported = |lines: &[String]| violations_in(lines).iter().any(|l| l.contains("per_page"));
    let lines = prism.settled(reported).await;
    let at = lines
        .iter()
        .rposition(|l| l.contains("Request received"))
        .unwrap_or(lines.len());
    let (before, after) = lines.split_at(at);
    let violations = violations_in(before);
    let requests = requests_in(before);
    let _ = std::fs::remove_file(&spec);
    assert!(
        control
            .as_ref()
            .is_err_and(|e| e.status().map(|s| s.as_u16()) == Some(422))
            && reported(after),
        "Prism did not report the control's bad `per_page` ({control:?}):\n{}",
        prism.tail(20)
    );
    eprintln!(
        "Prism: {calls} calls, {requests} requests, {} request violations; {} responses whose example the spec's own schema refuses:\n  {}",
        violations.len(),
        bad_examples.len(),
        bad_examples.join("\n  ")
    );
    assert!(
        violations.is_empty(),
        "Prism found violations in the generated client's requests:\n{}",
        violations.join("\n")
    );
    assert!(
        failures.is_empty(),
        "calls failed:\n{}",
        failures.join("\n")
    );
    assert_eq!(
        requests,
        calls,
        "every call reached Prism once:\n{}",
        prism.tail(60)
    );
}
