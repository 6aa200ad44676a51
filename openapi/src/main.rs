//! `restrait-openapi SPEC [--tag T] [--check-against PATH] [--out FILE]`: writes the generated
//! client to FILE (or stdout) and a summary to stderr.

use std::process::ExitCode;

const USAGE: &str = "usage: restrait-openapi SPEC [--tag TAG] [--check-against PATH] [--out FILE]\n\
    Generates restrait #[resource] traits and serde models from an OpenAPI 3.0/3.1 spec (JSON or YAML).\n\
    --check-against PATH writes #[restrait::resource(openapi = PATH)]: the traits are checked\n\
    against the spec at PATH (relative to Cargo.toml) whenever they compile.";

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("restrait-openapi: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Vec<String>) -> Result<(), String> {
    let mut spec = None;
    let mut out = None;
    let mut options = restrait_openapi::Options::new();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--tag" => options = options.tag(args.next().ok_or("--tag needs a value")?),
            "--check-against" => {
                options = options.check_against(
                    args.next()
                        .ok_or("--check-against needs the spec's path, relative to Cargo.toml")?,
                )
            }
            "--out" => out = Some(args.next().ok_or("--out needs a value")?),
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            flag if flag.starts_with('-') => {
                return Err(format!("unknown option `{flag}`\n{USAGE}"));
            }
            _ if spec.is_some() => return Err(format!("more than one SPEC given\n{USAGE}")),
            _ => spec = Some(arg),
        }
    }
    let spec = spec.ok_or_else(|| USAGE.to_owned())?;
    let text = std::fs::read_to_string(&spec).map_err(|e| format!("cannot read {spec}: {e}"))?;
    let started = std::time::Instant::now();
    let generated =
        restrait_openapi::generate(&text, &options).map_err(|e| format!("{spec}: {e}"))?;
    let elapsed = started.elapsed();
    match &out {
        Some(path) => std::fs::write(path, &generated.code)
            .map_err(|e| format!("cannot write {path}: {e}"))?,
        None => print!("{}", generated.code),
    }
    eprintln!("{spec}: {} (in {:.0?})", generated.summary, elapsed);
    Ok(())
}
