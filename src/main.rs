// Temporary entry point while the CLI is built: `opready check PATH --evidence --format json`
// prints the evidence document.
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let path = args
        .iter()
        .skip(2)
        .find(|a| !a.starts_with("--"))
        .cloned()
        .unwrap_or(".".into());
    match opready::collect_evidence(std::path::Path::new(&path), &Default::default()) {
        Ok(d) => {
            let out = serde_json::json!({"evidence": d.evidence, "diagnostics": d.diagnostics, "files_read": d.files_read});
            println!("{}", serde_json::to_string_pretty(&out).unwrap());
        }
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    }
}
