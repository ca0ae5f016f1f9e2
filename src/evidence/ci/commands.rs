//! Shell commands: what a `run:` or `script:` block does, command by command.
//!
//! A script is cut into commands (continuation lines joined, comments and here-document
//! bodies dropped, split at `&&`, `||`, `;`, `|` and command substitutions); each command's
//! tool is found past shell keywords, wrappers (`sudo`, `npx`, `poetry run`, `bundle exec`,
//! `docker run <image>`) and variable assignments, then classified by its subcommand.
//! Unknown tools and scripts run by path are read by their words (`./scripts/deploy.sh`,
//! `make test-e2e`, `deployer deploy`).

use super::steps::{
    AUTOMERGE, BUILD, COST_ESTIMATE, Classification, DEPLOY, LINT, RELEASE, TEST, WordList, Words,
    classify_words, image_tool, listed, words,
};

/// Verbs of PowerShell cmdlets that only move data about (`Copy-Item`, `Write-Host`).
static POWERSHELL_VERBS: WordList = WordList::new(
    "\
    get set copy remove write new move out select foreach where add clear import export join \
    split convertto convertfrom push pop rename resolve test",
);
/// Shell keywords and wrappers that come before the command they run.
static COMMAND_PREFIXES: WordList = WordList::new(
    "\
    if then else elif do while until ! { } time sudo exec env nohup command timeout retry \
    xvfb-run",
);

/// Words of task-runner targets that only prepare (`make install`, `make deps`).
static SETUP_TARGET_WORDS: WordList = WordList::new(
    "\
    install deps dep dependencies setup clean init bootstrap tools download vendor venv env \
    prepare requirements tidy generate gen help fmt format stop start up down restart logs \
    status",
);
/// Target words that rewrite files (generated code, formatting): a check when followed by
/// a diff.
static REWRITE_TARGET_WORDS: WordList = WordList::new("generate gen tidy fmt format");
/// Task-runner options followed by a value that is not a target.
static TASK_RUNNER_VALUE_FLAGS: WordList =
    WordList::new("-C -f --file -j --directory -d --dir -t --taskfile --filter -p --project");

/// `docker run` options followed by a value.
static DOCKER_RUN_VALUE_FLAGS: WordList = WordList::new(
    "\
    -v --volume -e --env -w --workdir -u --user --name --network --net -p --publish \
    --entrypoint --platform --mount --env-file -l --label --add-host",
);

/// Commands that only move data, install or print: they do nothing a policy counts.
static PLUMBING_TOOLS: WordList = WordList::new(
    "\
    echo printf cat curl wget jq yq mkdir cp mv rm ls cd pushd popd export set unset source . \
    sleep chmod chown sed awk grep tee touch true false exit [ [[ test fi done esac for case \
    read local return shift trap eval base64 tar unzip zip gzip gunzip zstd sort uniq head \
    tail cut tr wc diff find xargs apt apt-get yum dnf apk brew choco snap pip pip3 pipx \
    corepack nvm rustup asdf mise aqua ln date printenv id whoami uname df du free ssh-keygen \
    openssl gpg sops git-crypt install which type hash declare mapfile wait kill ps tree \
    realpath dirname basename envsubst md5sum sha256sum shasum tput column fold rev seq yes \
    let shopt ulimit umask mktemp stat file rsync scp ssh chartpress-version cosign notation \
    syft oras-login gcloud-auth dpkg ldconfig update-alternatives systemctl service crontab \
    codecov coveralls python-c apt-key add-apt-repository gpg-agent sha1sum cmp sponge \
    jo gojq dasel xq htmlq http https httpie nc netstat dig nslookup host ping lsof \
    kill killall pkill pgrep hostname export-env sops-decrypt age openssl-rand uuidgen",
);

/// Linters and static checkers.
static LINT_TOOLS: WordList = WordList::new(
    "\
    golangci-lint staticcheck revive errcheck nilaway ineffassign misspell go-consistent \
    eslint tslint stylelint standard xo oxlint flake8 pylint mypy pyright pyre pycodestyle \
    pydocstyle pyflakes pyupgrade codespell cspell typos pre-commit prek lefthook yamllint \
    actionlint hadolint shellcheck markdownlint markdownlint-cli2 markdown-link-check lychee \
    vale commitlint editorconfig-checker ec tflint checkmake kubeconform kubeval kube-linter \
    kube-score polaris datree pluto kubectl-validate ansible-lint regal jsonnet-lint protolint \
    swiftlint ktlint detekt rubocop standardrb reek erb_lint erblint haml-lint slim-lint \
    phpstan psalm phpcs phpmd clang-tidy cppcheck cpplint sqlfluff squawk dotenv-linter \
    jsonlint spectral redocly dclint htmlhint textlint alex write-good gitlint super-linter \
    megalinter mega-linter-runner trunk djlint checkstyle pmd scalastyle credo elm-review \
    conftest kubeaudit promlinter pint cue",
);

/// Formatters: a check only when asked to check (`--check`, `-l`, `--diff`, …).
static FORMATTERS: WordList = WordList::new(
    "\
    black isort yapf autopep8 prettier shfmt gofmt goimports gofumpt rustfmt clang-format \
    php-cs-fixer dprint jsonnetfmt buildifier stylua rufo ormolu scalafmt google-java-format \
    swift-format taplo",
);

/// Flags that make a formatter check instead of rewrite.
const FORMATTER_CHECK_FLAGS: &[&str] = &[
    "--check",
    "-check",
    "--check-only",
    "-c",
    "--diff",
    "-d",
    "-l",
    "--list-different",
    "--dry-run",
    "--test",
    "--lint",
    "--verify",
    "--set-exit-if-changed",
    "--fail-on-change",
    "--mode=check",
    "-lint",
];

/// Whether a script creates a throw-away Kubernetes cluster (kind, minikube, k3d, k3s).
pub(super) fn starts_cluster(script: &str) -> bool {
    commands(script).iter().any(|c| {
        let t = tokenize(c);
        let t: Vec<&str> = t.iter().map(String::as_str).collect();
        matches!(
            t.as_slice(),
            ["kind", "create", "cluster", ..]
                | ["minikube", "start", ..]
                | ["k3d", "cluster", "create", ..]
                | ["ctlptl", "create", ..]
        ) || c.contains("get.k3s.io")
            || (matches!(t.as_slice(), ["docker" | "podman", "run", ..])
                && t.iter().any(|w| {
                    // A cluster in a container: MicroShift, kind's node image, k3s.
                    w.contains("microshift")
                        || w.contains("kindest/node")
                        || w.contains("rancher/k3s")
                }))
    })
}

/// What a script's commands do.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScriptClass {
    pub class: Classification,
    /// Every command is plumbing (or the script is empty).
    pub plumbing: bool,
}

/// Classifies a shell script: each command of each line.
pub fn classify_script(script: &str) -> ScriptClass {
    let mut out = ScriptClass {
        class: Classification::default(),
        plumbing: true,
    };
    let mut rewrites = false;
    let mut diff_check = false;
    for command in commands(script) {
        let tokens = tokenize(&command);
        let refs: Vec<&str> = tokens.iter().map(String::as_str).collect();
        match classify_command(&refs) {
            Command::Plumbing => {}
            Command::Rewrites => rewrites = true,
            Command::DiffCheck => diff_check = true,
            Command::Unknown => out.plumbing = false,
            Command::Known(c) => {
                out.plumbing = false;
                out.class.merge(c);
            }
        }
    }
    // `cue fmt ./... && git diff --exit-code`: formatting (or tidying) checked by a diff.
    if rewrites && diff_check {
        out.class.add(LINT);
        out.plumbing = false;
    }
    out
}

/// The commands of a script: continuation lines joined, comments and here-document bodies
/// dropped, split at `&&`, `||`, `;`, `|` and subshells outside quotes, with command
/// substitutions (`$(…)`, backticks) as commands of their own. Calls of functions the
/// script defines are dropped: their bodies are read where they are written.
pub(super) fn commands(script: &str) -> Vec<String> {
    let script = strip_expressions_keep_words(script);
    let joined = script.replace("\\\r\n", " ").replace("\\\n", " ");
    let mut out = Vec::new();
    let mut functions: Vec<String> = Vec::new();
    let mut heredoc: Option<String> = None;
    for line in joined.lines() {
        let line = line.trim();
        // The body of a here-document is data (often inline Python), not commands.
        if let Some(end) = &heredoc {
            if line == end {
                heredoc = None;
            }
            continue;
        }
        heredoc = heredoc_delimiter(line);
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(name) = function_definition(line) {
            functions.push(name);
            continue;
        }
        let line = match line.find(" #") {
            Some(i) => &line[..i],
            None => line,
        };
        split_line(line, 0, &mut out);
    }
    out.retain(|c| {
        let first = c.split_whitespace().next().unwrap_or("");
        !functions.iter().any(|f| f == first)
    });
    out
}

/// `name() {` or `function name {`: the function's name.
fn function_definition(line: &str) -> Option<String> {
    let rest = line.strip_prefix("function ").unwrap_or(line).trim_start();
    let name: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | ':'))
        .collect();
    if name.is_empty() {
        return None;
    }
    let after = rest[name.len()..].trim_start();
    let defines = after.starts_with("()")
        || (line.starts_with("function ") && (after.is_empty() || after.starts_with('{')));
    defines.then_some(name)
}

/// Splits one line into commands; see [`commands`].
fn split_line(line: &str, depth: u8, out: &mut Vec<String>) {
    if depth > 8 {
        return;
    }
    let chars: Vec<char> = line.chars().collect();
    // Command substitutions first: each is a command, and reads as one word where it
    // stands.
    let mut rest = String::with_capacity(line.len());
    let mut quote: Option<char> = None;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if quote == Some('\'') {
            if c == '\'' {
                quote = None;
            }
            rest.push(c);
            i += 1;
            continue;
        }
        match c {
            '\\' => {
                rest.push(c);
                if let Some(next) = chars.get(i + 1) {
                    rest.push(*next);
                }
                i += 2;
                continue;
            }
            '$' if chars.get(i + 1) == Some(&'(') => {
                let arithmetic = chars.get(i + 2) == Some(&'(');
                let mut level = 0usize;
                let mut j = i + 1;
                while j < chars.len() {
                    match chars[j] {
                        '(' => level += 1,
                        ')' => {
                            level = level.saturating_sub(1);
                            if level == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    j += 1;
                }
                if !arithmetic {
                    let inner: String = chars[i + 2..j.min(chars.len())].iter().collect();
                    split_line(&inner, depth + 1, out);
                }
                rest.push_str("SUBST");
                i = j + 1;
                continue;
            }
            '`' => {
                let end = chars[i + 1..]
                    .iter()
                    .position(|c| *c == '`')
                    .map_or(chars.len(), |p| i + 1 + p);
                let inner: String = chars[i + 1..end].iter().collect();
                split_line(&inner, depth + 1, out);
                rest.push_str("SUBST");
                i = end + 1;
                continue;
            }
            '"' => quote = if quote == Some('"') { None } else { Some('"') },
            '\'' if quote.is_none() => quote = Some('\''),
            _ => {}
        }
        rest.push(c);
        i += 1;
    }
    // Then separators outside quotes.
    let chars: Vec<char> = rest.chars().collect();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    let mut flush = |current: &mut String| {
        let c = current.trim();
        if !c.is_empty() {
            out.push(c.to_string());
        }
        current.clear();
    };
    let mut test_depth = 0usize;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        // `[[ a || b ]]` is one test, not two commands.
        if quote.is_none() && c == '[' && next == Some('[') {
            test_depth += 1;
        } else if quote.is_none() && c == ']' && next == Some(']') {
            test_depth = test_depth.saturating_sub(1);
        }
        if test_depth > 0 && quote.is_none() && matches!(c, '|' | '&' | '(' | ')') {
            current.push(c);
            i += 1;
            continue;
        }
        if let Some(q) = quote {
            if c == '\\' && q == '"' {
                current.push(c);
                if let Some(n) = next {
                    current.push(n);
                }
                i += 2;
                continue;
            }
            if c == q {
                quote = None;
            }
            current.push(c);
            i += 1;
            continue;
        }
        match c {
            '"' | '\'' => {
                quote = Some(c);
                current.push(c);
            }
            ';' | '(' | ')' => flush(&mut current),
            '|' => {
                if next == Some('|') {
                    i += 1;
                }
                flush(&mut current);
            }
            '&' => {
                if next == Some('&') {
                    i += 1;
                    flush(&mut current);
                } else if current.ends_with('>') || next == Some('>') {
                    // A redirection (`2>&1`, `&>`).
                    current.push(c);
                } else {
                    // A background job.
                    flush(&mut current);
                }
            }
            _ => current.push(c),
        }
        i += 1;
    }
    flush(&mut current);
}

/// The delimiter of a here-document started on this line (`cat <<'EOF'` → `EOF`).
fn heredoc_delimiter(line: &str) -> Option<String> {
    let start = line.find("<<")?;
    let rest = line[start + 2..]
        .trim_start_matches(['-', '~'])
        .trim_start();
    if rest.starts_with('<') {
        // `<<<` is a here-string.
        return None;
    }
    let word: String = rest
        .trim_start_matches(['\'', '"'])
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    (!word.is_empty()).then_some(word)
}

/// Replaces `${{ expr }}` by `EXPR` so that an expression reads as one word.
fn strip_expressions_keep_words(text: &str) -> String {
    if !text.contains("${{") {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${{") {
        out.push_str(&rest[..start]);
        out.push_str("EXPR");
        rest = match rest[start..].find("}}") {
            Some(end) => &rest[start + end + 2..],
            None => "",
        };
    }
    out.push_str(rest);
    out
}

/// The words of a command, unquoted, without redirections (`> out.txt`, `2>&1`).
fn tokenize(command: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut skip_target = false;
    for raw in command.split_whitespace() {
        if skip_target {
            skip_target = false;
            continue;
        }
        let redirect = raw.trim_start_matches(|c: char| c.is_ascii_digit() || c == '&');
        if redirect.starts_with('>') || redirect.starts_with('<') {
            // `>` alone is followed by its target; `>out` and `2>&1` carry it.
            skip_target = matches!(redirect, ">" | ">>" | "<" | ">|" | "&>");
            continue;
        }
        let t = raw.trim_matches(|c| c == '"' || c == '\'');
        if !t.is_empty() {
            out.push(t.to_string());
        }
    }
    out
}

enum Command {
    /// Known to do nothing a policy counts.
    Plumbing,
    /// Not recognised.
    Unknown,
    /// Recognised, with what it does (possibly nothing countable).
    Known(Classification),
    /// Rewrites files in place (a formatter without `--check`, `go mod tidy`): a lint
    /// when the script then fails on a diff.
    Rewrites,
    /// Fails when the working tree changed (`git diff --exit-code`, `git status
    /// --porcelain`).
    DiffCheck,
}

fn known(kinds: &[&'static str]) -> Command {
    Command::Known(Classification::of(kinds))
}

fn scanned(scanner: &'static str) -> Command {
    Command::Known(Classification::scan(scanner))
}

fn is_flag(token: &str) -> bool {
    token.starts_with('-')
}

fn is_assignment(token: &str) -> bool {
    match token.split_once('=') {
        Some((name, _)) => {
            !name.is_empty()
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && !name.starts_with(|c: char| c.is_ascii_digit())
        }
        None => false,
    }
}

/// Arguments that are not flags (a flag's value is not skipped: too tool-specific).
fn positional<'a>(args: &[&'a str]) -> Vec<&'a str> {
    args.iter().copied().filter(|a| !is_flag(a)).collect()
}

fn has_flag(args: &[&str], flags: &[&str]) -> bool {
    args.iter().any(|a| {
        flags
            .iter()
            .any(|f| a == f || a.strip_prefix(f).is_some_and(|r| r.starts_with('=')))
    })
}

/// The tool name of a command word: `./gradlew` → `gradlew`, `bin/run-tests.sh` →
/// `run-tests`.
fn tool_name(token: &str) -> String {
    // Windows paths too (`eng\common\cibuild.cmd`).
    let base = token
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(token)
        .to_ascii_lowercase();
    for ext in [
        ".sh", ".bash", ".py", ".rb", ".ps1", ".js", ".ts", ".exe", ".pl", ".cmd", ".bat",
    ] {
        if let Some(stem) = base.strip_suffix(ext) {
            return stem.to_string();
        }
    }
    base
}

fn classify_command(tokens: &[&str]) -> Command {
    let mut i = 0;
    // Shell keywords, wrappers and environment assignments before the command.
    while let Some(t) = tokens.get(i) {
        if is_assignment(t) || COMMAND_PREFIXES.contains(t) {
            i += 1;
            // `timeout 10m cmd`
            if matches!(*t, "timeout")
                && tokens
                    .get(i)
                    .is_some_and(|d| d.starts_with(|c: char| c.is_ascii_digit()))
            {
                i += 1;
            }
            continue;
        }
        break;
    }
    let Some(first) = tokens.get(i) else {
        return Command::Plumbing;
    };
    // Leftovers of shell syntax (`!=`, `]]`, `;;`) run nothing.
    if !first.starts_with(|c: char| {
        c.is_ascii_alphanumeric() || matches!(c, '.' | '/' | '_' | '$' | '~')
    }) {
        return Command::Plumbing;
    }
    let args = &tokens[i + 1..];
    // PowerShell: `$x = …` assigns; `Get-ChildItem`, `Copy-Item` move files about.
    if args.first() == Some(&"=") {
        return Command::Plumbing;
    }
    let tool = tool_name(first);
    if let Some((verb, _)) = tool.split_once('-')
        && first.starts_with(|c: char| c.is_ascii_uppercase())
    {
        return match tool.as_str() {
            "invoke-pester" => known(&[TEST]),
            "invoke-scriptanalyzer" => known(&[LINT]),
            _ if POWERSHELL_VERBS.contains(verb) => Command::Plumbing,
            _ => Command::Unknown,
        };
    }
    classify_tool(&tool, first, args)
}

/// The first positional argument and the rest after it.
fn subcommand<'a, 'b>(args: &'b [&'a str]) -> (Option<&'a str>, &'b [&'a str]) {
    match args.iter().position(|a| !is_flag(a)) {
        Some(p) => (Some(args[p]), &args[p + 1..]),
        None => (None, &[]),
    }
}

fn classify_tool(tool: &str, word: &str, args: &[&str]) -> Command {
    let (sub, rest) = subcommand(args);
    let sub = sub.unwrap_or("");
    match tool {
        // Plumbing.
        t if PLUMBING_TOOLS.contains(t) => Command::Plumbing,
        "git" => {
            // `git push heroku main` deploys to Heroku.
            if sub == "push" && rest.first().is_some_and(|r| r.contains("heroku")) {
                known(&[DEPLOY])
            } else if (sub == "diff" && has_flag(rest, &["--exit-code", "--quiet"]))
                || (sub == "status" && has_flag(rest, &["--porcelain", "-s", "--short"]))
            {
                Command::DiffCheck
            } else {
                Command::Plumbing
            }
        }
        "gh" => match (sub, rest.first().copied().unwrap_or("")) {
            ("release", "create" | "upload" | "edit") => known(&[RELEASE]),
            ("pr", "merge") => known(&[AUTOMERGE]),
            _ => Command::Plumbing,
        },
        "python" | "python3" | "py" | "node" | "bash" | "sh" | "zsh" | "ruby" | "perl" | "pwsh"
        | "powershell" | "deno" | "bun" | "php" | "dotnet-script" => {
            classify_interpreter(tool, args)
        }
        "npx" | "pnpx" | "bunx" | "uvx" => {
            let mut j = 0;
            while j < args.len() && is_flag(args[j]) {
                // `npx -p pkg cmd`
                if matches!(args[j], "-p" | "--package") {
                    j += 1;
                }
                j += 1;
            }
            match args.get(j) {
                Some(cmd) => classify_tool(&tool_name(strip_version(cmd)), cmd, &args[j + 1..]),
                None => Command::Plumbing,
            }
        }
        "nyc" | "c8" | "dotenv" | "cross-env" | "nix-shell" | "devbox" | "direnv" => forward(args),
        "cargo" => classify_cargo(sub, rest),
        "go" => classify_go(sub, rest),
        "npm" | "pnpm" | "yarn" => classify_node_pm(tool, sub, rest),
        "make" | "gmake" | "mingw32-make" | "task" | "just" | "mage" | "rake" | "invoke"
        | "inv" | "earthly" | "cake" | "psake" | "grunt" | "gulp" | "nx" | "turbo" | "lerna"
        | "moon" => classify_targets(tool, args),
        _ => classify_tool_more(tool, word, sub, rest, args),
    }
}

fn strip_version(cmd: &str) -> &str {
    // `npx semantic-release@24`, `@scope/pkg@1`
    match cmd.rfind('@') {
        Some(i) if i > 0 => &cmd[..i],
        _ => cmd,
    }
}

/// Runs what follows as a command (`nyc npm test`).
fn forward(args: &[&str]) -> Command {
    let mut j = 0;
    while j < args.len() && (is_flag(args[j]) || is_assignment(args[j])) {
        j += 1;
    }
    // `devbox run -- make test`, `nix-shell --run "make test"`
    if args.get(j) == Some(&"run") || args.get(j) == Some(&"--") {
        j += 1;
    }
    while j < args.len() && is_flag(args[j]) {
        j += 1;
    }
    match args.get(j) {
        Some(cmd) => classify_tool(&tool_name(cmd), cmd, &args[j + 1..]),
        None => Command::Plumbing,
    }
}

fn classify_interpreter(tool: &str, args: &[&str]) -> Command {
    if args
        .first()
        .is_some_and(|a| matches!(*a, "-c" | "-e" | "<<EOF" | "-") || a.starts_with("<<"))
    {
        return Command::Plumbing;
    }
    if (tool.starts_with("python") || tool == "py")
        && let Some(p) = args.iter().position(|a| *a == "-m")
    {
        return match args.get(p + 1) {
            Some(module) => classify_tool(&tool_name(module), module, &args[p + 2..]),
            None => Command::Plumbing,
        };
    }
    if tool == "deno" {
        return match args.first().copied() {
            Some("test") => known(&[TEST]),
            Some("lint") | Some("check") => known(&[LINT]),
            Some("fmt") if has_flag(args, &["--check"]) => known(&[LINT]),
            _ => Command::Unknown,
        };
    }
    if tool == "bun" {
        return match args.first().copied() {
            Some("test") => known(&[TEST]),
            Some("install" | "i" | "add") => Command::Plumbing,
            Some("run") => classify_targets("bun", &args[1..]),
            Some("audit") => scanned("npm-audit"),
            Some("publish") => known(&[RELEASE]),
            Some("build") => known(&[BUILD]),
            Some(script) => target(script),
            None => Command::Plumbing,
        };
    }
    let (script, rest) = subcommand(args);
    match script {
        Some(script) => classify_script_file(script, rest),
        None => Command::Plumbing,
    }
}

/// A script run by path (`./scripts/deploy.sh`, `bin/tests`, `python manage.py test`):
/// known tools by name, else the kinds its name and first argument say.
fn classify_script_file(path: &str, args: &[&str]) -> Command {
    let name = tool_name(path);
    let mut c = classify_words(&name, Words::Target);
    if let (Some(sub), _) = subcommand(args)
        && !sub.contains('/')
        && !sub.contains('$')
        && !sub.contains("EXPR")
    {
        c.merge(classify_words(sub, Words::Target));
    }
    if c.is_empty()
        && words(&name)
            .iter()
            .any(|w| SETUP_TARGET_WORDS.contains(w) || listed("plan preview diff", w))
    {
        // `scripts/terraform-init.sh`, `scripts/terraform-plan.sh`: preparation.
        Command::Plumbing
    } else if c.is_empty() {
        Command::Unknown
    } else {
        Command::Known(c)
    }
}

/// One named task (a make target, a package script): what its name says.
fn target(name: &str) -> Command {
    classify_targets("", &[name])
}

/// Task runners: each target named.
fn classify_targets(tool: &str, args: &[&str]) -> Command {
    let mut c = Classification::default();
    let mut targets = 0;
    let mut setup_targets = 0;
    let mut rewrites = false;
    let mut skip_next = false;
    for a in args {
        if skip_next {
            skip_next = false;
            continue;
        }
        if TASK_RUNNER_VALUE_FLAGS.contains(a) {
            skip_next = true;
            continue;
        }
        if is_flag(a) || is_assignment(a) || a.contains("EXPR") || a.starts_with('$') {
            continue;
        }
        if matches!(tool, "nx" | "turbo" | "lerna" | "moon")
            && matches!(*a, "run" | "run-many" | "affected")
        {
            continue;
        }
        targets += 1;
        let ws = words(a);
        let rewriting = |w: &String| REWRITE_TARGET_WORDS.contains(w);
        // `install-tools`, `setup-env`, `stop`: preparation, whatever else the name says.
        let prepares = ws
            .first()
            .is_some_and(|w| SETUP_TARGET_WORDS.contains(w) && !rewriting(w));
        if prepares {
            setup_targets += 1;
            continue;
        }
        if ws.iter().all(|w| SETUP_TARGET_WORDS.contains(w)) {
            setup_targets += 1;
            rewrites |= ws.iter().any(rewriting);
        }
        c.merge(classify_words(a, Words::Target));
    }
    if c.is_empty() && targets > 0 && setup_targets == targets {
        // `make install`, `make deps`: preparation; `make generate`, `make fmt` rewrite.
        if rewrites {
            Command::Rewrites
        } else {
            Command::Plumbing
        }
    } else if c.is_empty() {
        // Including a bare `make`, whose default target could be anything.
        Command::Unknown
    } else {
        Command::Known(c)
    }
}

fn classify_cargo(sub: &str, rest: &[&str]) -> Command {
    match sub {
        "test" | "t" | "nextest" | "tarpaulin" | "llvm-cov" | "miri" | "insta" => known(&[TEST]),
        "clippy" | "machete" | "udeps" | "semver-checks" | "sort" | "shear" | "spellcheck" => {
            known(&[LINT])
        }
        "fmt" if has_flag(rest, &["--check"]) => known(&[LINT]),
        "fmt" => Command::Rewrites,
        "build" | "b" | "check" | "c" | "zigbuild" | "auditable" | "dist" => known(&[BUILD]),
        "audit" => scanned("cargo-audit"),
        "deny" => scanned("cargo-deny"),
        "publish" | "release" => known(&[RELEASE]),
        "make" | "xtask" | "run-script" => classify_targets("cargo", rest),
        "hack" => {
            let (inner, inner_rest) = subcommand(rest);
            classify_cargo(inner.unwrap_or(""), inner_rest)
        }
        "install" | "binstall" | "update" | "fetch" | "generate-lockfile" | "doc" | "metadata"
        | "version" | "--version" => Command::Plumbing,
        _ => Command::Unknown,
    }
}

fn classify_go(sub: &str, rest: &[&str]) -> Command {
    match sub {
        "test" => known(&[TEST]),
        "vet" | "fmt" => known(&[LINT]),
        "build" => known(&[BUILD]),
        "run" => {
            // `go run golang.org/x/vuln/cmd/govulncheck@latest ./...`
            let (pkg, pkg_rest) = subcommand(rest);
            match pkg {
                Some(p) if !p.ends_with(".go") && p != "." && !p.starts_with("./") => {
                    let name = strip_version(p).rsplit('/').next().unwrap_or(p);
                    classify_tool(name, p, pkg_rest)
                }
                Some(p) => classify_script_file(p, pkg_rest),
                None => Command::Unknown,
            }
        }
        "tool" => {
            let (name, tool_rest) = subcommand(rest);
            match name {
                Some(n) => classify_tool(&tool_name(n), n, tool_rest),
                None => Command::Plumbing,
            }
        }
        "mod" if rest.first() == Some(&"tidy") => Command::Rewrites,
        "generate" => Command::Rewrites,
        "mod" | "get" | "install" | "env" | "version" | "work" | "clean" | "list" | "doc" => {
            Command::Plumbing
        }
        _ => Command::Unknown,
    }
}

fn classify_node_pm(tool: &str, sub: &str, rest: &[&str]) -> Command {
    let audit = match tool {
        "yarn" => "yarn-audit",
        "pnpm" => "pnpm-audit",
        _ => "npm-audit",
    };
    match sub {
        "" => Command::Plumbing,
        "test" | "t" | "tst" => known(&[TEST]),
        "run" | "run-script" | "exec" | "dlx" | "x" => {
            let (script, script_rest) = subcommand(rest);
            match script {
                Some(s) if matches!(sub, "exec" | "dlx" | "x") => {
                    classify_tool(&tool_name(strip_version(s)), s, script_rest)
                }
                Some(s) => target(s),
                None => Command::Plumbing,
            }
        }
        "audit" => scanned(audit),
        "npm" if rest.first() == Some(&"audit") => scanned(audit),
        "npm" if rest.first() == Some(&"publish") => known(&[RELEASE]),
        "publish" => known(&[RELEASE]),
        "ci" | "install" | "i" | "add" | "remove" | "config" | "set" | "cache" | "version"
        | "--version" | "-v" | "link" | "prune" | "dedupe" | "outdated" | "ls" | "list"
        | "info" | "view" | "whoami" | "login" | "pack" | "init" | "rebuild" | "workspaces"
        | "env" | "bin" | "root" | "prefix" | "plugin" | "why" | "licenses" | "global"
        | "upgrade" | "up" | "update" | "import" | "fetch" | "store" | "setup" => Command::Plumbing,
        "workspace" => {
            // `yarn workspace <name> <script>`
            let (_, ws_rest) = subcommand(rest);
            let (script, _) = subcommand(ws_rest);
            script.map_or(Command::Plumbing, target)
        }
        // `yarn lint`, `pnpm build`: a package script.
        _ if tool != "npm" => target(sub),
        _ => Command::Unknown,
    }
}

fn classify_tool_more(tool: &str, word: &str, sub: &str, rest: &[&str], args: &[&str]) -> Command {
    let all_args = args;
    match tool {
        // Tests.
        "pytest" | "py.test" | "unittest" | "nose2" | "green" | "ward" | "behave" | "gotestsum"
        | "ginkgo" | "richgo" | "rspec" | "jest" | "vitest" | "mocha" | "ava" | "karma"
        | "jasmine" | "tap" | "ctest" | "phpunit" | "pest" | "paratest" | "codeception"
        | "bats" | "kuttl" | "chainsaw" | "terratest" | "venom" | "newman" | "k6" | "hurl"
        | "tavern-ci" | "robot" | "cucumber" | "cucumber-js" | "wdio" | "testcafe" | "detox"
        | "xctest" | "minitest" | "prove" | "busted" | "rebar3" | "tarpaulin" | "cargo-nextest"
        | "cargo-test" | "httpyac" => known(&[TEST]),
        "playwright" | "cypress" => match sub {
            "install" | "install-deps" | "verify" | "cache" => Command::Plumbing,
            _ => known(&[TEST]),
        },
        // "Scripts to rule them all" (`script/cibuild`) and .NET Arcade's
        // `eng/common/cibuild.sh`: the CI entry point builds and runs the tests.
        "cibuild" => known(&[BUILD, TEST]),
        "buildkite-agent" => Command::Plumbing,
        "coverage" if sub == "run" => known(&[TEST]),
        "coverage" => Command::Plumbing,
        "tox" => tox_like(all_args, &["-e", "--env"]),
        "nox" => tox_like(all_args, &["-s", "--session", "--sessions"]),
        "mix" => match sub {
            "test" => known(&[TEST]),
            "format" if has_flag(rest, &["--check-formatted"]) => known(&[LINT]),
            "credo" | "dialyzer" | "sobelow" => known(&[LINT]),
            "deps.audit" | "hex.audit" => scanned("mix-audit"),
            "compile" | "release" | "escript.build" => known(&[BUILD]),
            "hex.publish" => known(&[RELEASE]),
            _ => Command::Plumbing,
        },
        "flutter" | "dart" => match sub {
            "test" => known(&[TEST]),
            "analyze" => known(&[LINT]),
            "format" if has_flag(rest, &["--set-exit-if-changed"]) => known(&[LINT]),
            "build" | "compile" => known(&[BUILD]),
            "pub" if rest.first() == Some(&"publish") => known(&[RELEASE]),
            _ => Command::Plumbing,
        },
        "swift" => match sub {
            "test" => known(&[TEST]),
            "build" => known(&[BUILD]),
            "format" | "package" => Command::Plumbing,
            _ => Command::Unknown,
        },
        "xcodebuild" => {
            let mut c = Classification::default();
            if all_args
                .iter()
                .any(|a| *a == "test" || *a == "test-without-building")
            {
                c.add(TEST);
            }
            if all_args
                .iter()
                .any(|a| matches!(*a, "build" | "archive" | "build-for-testing"))
            {
                c.add(BUILD);
            }
            Command::Known(c)
        }
        "fastlane" => target(sub),
        "rails" if sub == "test" || sub == "spec" => known(&[TEST]),
        "bundle" | "bundler" => match sub {
            "exec" | "ex" => forward(rest),
            "audit" => scanned("bundler-audit"),
            "install" | "config" | "update" | "lock" | "binstubs" | "package" | "cache" => {
                Command::Plumbing
            }
            _ => Command::Unknown,
        },
        "bundle-audit" | "bundler-audit" => scanned("bundler-audit"),
        "gem" => match sub {
            "push" => known(&[RELEASE]),
            "build" => known(&[BUILD]),
            _ => Command::Plumbing,
        },
        // Lint.
        t if LINT_TOOLS.contains(t) => match (t, sub) {
            ("cue", "fmt") if !has_flag(rest, &["--check"]) => Command::Rewrites,
            ("cue", s) if s != "vet" && s != "fmt" => Command::Unknown,
            ("pint", "watch") => Command::Unknown,
            ("pre-commit", "install" | "autoupdate") => Command::Plumbing,
            ("trunk", s) if s != "check" => Command::Unknown,
            _ => known(&[LINT]),
        },
        "ruff" => match sub {
            "format" if !has_flag(rest, &["--check", "--diff"]) => Command::Rewrites,
            _ => known(&[LINT]),
        },
        t if FORMATTERS.contains(t) => {
            if has_flag(all_args, FORMATTER_CHECK_FLAGS)
                || matches!(sub, "check" | "lint" | "fmt-check")
            {
                known(&[LINT])
            } else {
                Command::Rewrites
            }
        }
        "biome" => match sub {
            "check" | "lint" | "ci" | "format" => known(&[LINT]),
            _ => Command::Plumbing,
        },
        "tsc" | "vue-tsc" => {
            if has_flag(all_args, &["--noEmit", "--noemit"]) {
                known(&[LINT])
            } else {
                known(&[BUILD])
            }
        }
        "remark" if has_flag(all_args, &["--frail"]) => known(&[LINT]),
        "buf" => match sub {
            "lint" | "breaking" | "format" => known(&[LINT]),
            "build" => known(&[BUILD]),
            "push" => known(&[RELEASE]),
            _ => Command::Plumbing,
        },
        "opa" => match sub {
            "test" => known(&[TEST]),
            "check" | "fmt" => known(&[LINT]),
            _ => Command::Plumbing,
        },
        "promtool" => match sub {
            "test" => known(&[TEST]),
            "check" => known(&[LINT]),
            _ => Command::Plumbing,
        },
        "amtool" if sub == "check-config" => known(&[LINT]),
        "ct" => match sub {
            "lint" => known(&[LINT]),
            "install" => known(&[TEST]),
            "lint-and-install" => known(&[LINT, TEST]),
            _ => Command::Plumbing,
        },
        // Build and package.
        "mvn" | "mvnw" | "maven" => classify_maven(all_args),
        "gradle" | "gradlew" => classify_gradle(all_args),
        "sbt" => {
            let mut c = Classification::default();
            for a in all_args {
                let a = a.to_ascii_lowercase();
                if a.contains("test") {
                    c.add(TEST);
                }
                if a.contains("fmtcheck") || a.contains("scalastyle") || a.contains("scapegoat") {
                    c.add(LINT);
                }
                if matches!(
                    a.as_str(),
                    "compile" | "package" | "assembly" | "docker:publishlocal"
                ) {
                    c.add(BUILD);
                }
                if a.starts_with("publish") || a.contains("release") {
                    c.add(RELEASE);
                }
            }
            Command::Known(c)
        }
        "lein" => target(sub),
        "dotnet" => match sub {
            "test" | "vstest" => known(&[TEST]),
            "build" | "publish" | "pack" | "msbuild" => known(&[BUILD]),
            "format" => known(&[LINT]),
            "nuget" if rest.first() == Some(&"push") => known(&[RELEASE]),
            "list" if has_flag(rest, &["--vulnerable"]) => scanned("dotnet-vulnerable"),
            "restore" | "tool" | "new" | "sln" | "add" | "workload" | "--info" | "--version" => {
                Command::Plumbing
            }
            _ => Command::Unknown,
        },
        "msbuild" => known(&[BUILD]),
        "bazel" | "bazelisk" | "blaze" => match sub {
            "test" | "coverage" => known(&[TEST]),
            "build" => known(&[BUILD]),
            "run" => {
                let (target, _) = subcommand(rest);
                Command::Known(target.map_or_else(Classification::default, |t| {
                    classify_words(t, Words::Target)
                }))
            }
            _ => Command::Plumbing,
        },
        "cmake" => {
            if has_flag(all_args, &["--build"]) {
                known(&[BUILD])
            } else {
                Command::Plumbing
            }
        }
        "ninja" | "meson" | "scons" | "cc" | "gcc" | "clang" | "javac" | "webpack" | "vite"
        | "rollup" | "esbuild" | "parcel" | "hugo" | "jekyll" | "sphinx-build" | "zig" => {
            match (tool, sub) {
                ("meson", "test") | ("zig", "test") => known(&[TEST]),
                ("vite", "preview" | "dev") => Command::Unknown,
                _ => known(&[BUILD]),
            }
        }
        "mkdocs" | "docusaurus" | "antora" => match sub {
            "build" => known(&[BUILD]),
            "gh-deploy" => known(&[RELEASE]),
            _ => Command::Plumbing,
        },
        "poetry" | "uv" | "pdm" | "hatch" | "flit" | "rye" | "pipenv" => match sub {
            "build" => known(&[BUILD]),
            "publish" => known(&[RELEASE]),
            "run" => forward(rest),
            "test" => known(&[TEST]),
            "check" if tool == "poetry" => known(&[LINT]),
            "fmt" if has_flag(rest, &["--check"]) => known(&[LINT]),
            "check" if tool == "pipenv" => scanned("safety"),
            _ => Command::Plumbing,
        },
        // pypa/build (`python -m build`).
        "build" => known(&[BUILD]),
        "twine" if sub == "upload" => known(&[RELEASE]),
        "twine" => Command::Plumbing,
        "docker" | "podman" | "nerdctl" | "docker-compose" | "finch" => {
            classify_docker(tool, sub, rest, all_args)
        }
        "buildah" => match sub {
            "bud" | "build" => known(&[BUILD]),
            "push" => known(&[RELEASE]),
            _ => Command::Plumbing,
        },
        "executor" | "kaniko" | "img" | "buildctl" | "buildkit" | "pack" | "jib" | "nixpacks"
        | "earthly-build" | "packer" => match (tool, sub) {
            ("pack", s) if s != "build" => Command::Plumbing,
            ("packer", s) if s != "build" => Command::Plumbing,
            _ => known(&[BUILD]),
        },
        "ko" => match sub {
            "build" | "publish" | "resolve" => known(&[BUILD]),
            "apply" | "create" => known(&[DEPLOY]),
            _ => Command::Plumbing,
        },
        "goreleaser" => match sub {
            "build" => known(&[BUILD]),
            "check" => known(&[LINT]),
            "" | "release" => {
                if has_flag(rest, &["--snapshot"]) || has_flag(all_args, &["--snapshot"]) {
                    known(&[BUILD])
                } else {
                    known(&[BUILD, RELEASE])
                }
            }
            _ => Command::Plumbing,
        },
        "chartpress" => {
            if has_flag(all_args, &["--push"]) {
                known(&[BUILD, RELEASE])
            } else {
                known(&[BUILD])
            }
        }
        "skaffold" => match sub {
            "run" | "deploy" | "apply" => known(&[DEPLOY]),
            "build" => known(&[BUILD]),
            "test" | "verify" => known(&[TEST]),
            _ => Command::Plumbing,
        },
        "crane" | "skopeo" | "oras" | "regctl" => match sub {
            "push" | "copy" | "cp" | "append" | "mutate" | "tag" | "image" => known(&[RELEASE]),
            _ => Command::Plumbing,
        },
        "release-please" | "semantic-release" | "standard-version" | "release-it" | "changeset"
        | "auto" | "bumpversion" | "bump2version" | "np" | "cz" => match (tool, sub) {
            ("changeset", "version" | "publish") | ("cz", "bump") => known(&[RELEASE]),
            ("changeset" | "cz", _) => Command::Plumbing,
            ("auto", s) if s != "shipit" => Command::Unknown,
            _ => known(&[RELEASE]),
        },
        "jf" | "jfrog" => match sub {
            "audit" | "scan" => scanned("jfrog-xray"),
            "rt" if matches!(rest.first(), Some(&"upload" | &"u")) => known(&[RELEASE]),
            _ => Command::Plumbing,
        },
        // Deploy.
        "kubectl" | "oc" | "kubecolor" => classify_kubectl(sub, rest, all_args),
        "helm" | "helm3" => classify_helm(sub, rest, all_args),
        "helmfile" => match sub {
            "apply" | "sync" | "deploy" => known(&[DEPLOY]),
            "lint" => known(&[LINT]),
            "test" => known(&[TEST]),
            _ => Command::Plumbing,
        },
        "terraform" | "tofu" | "terragrunt" | "tf" => classify_terraform(all_args),
        "kustomize" | "kapp" | "kpt" | "kubectl-argo-rollouts" => match (tool, sub) {
            ("kapp", "deploy") | ("kpt", "live") => known(&[DEPLOY]),
            ("kubectl-argo-rollouts", "promote" | "set" | "restart") => known(&[DEPLOY]),
            _ => Command::Plumbing,
        },
        "argocd" => match (sub, rest.first().copied().unwrap_or("")) {
            ("app", "sync" | "set" | "create" | "rollback" | "actions" | "patch") => {
                known(&[DEPLOY])
            }
            _ => Command::Plumbing,
        },
        "flux" => match sub {
            "reconcile" | "bootstrap" | "resume" => known(&[DEPLOY]),
            "push" | "tag" => known(&[RELEASE]),
            "build" | "diff" => Command::Plumbing,
            _ => Command::Plumbing,
        },
        "timoni" => {
            let p = positional(all_args);
            match (p.first().copied(), p.get(1).copied()) {
                (Some("apply"), _) | (Some("bundle"), Some("apply")) => known(&[DEPLOY]),
                (Some("mod"), Some("push")) | (Some("artifact"), Some("push")) => known(&[RELEASE]),
                (Some("mod"), Some("vet" | "lint")) | (Some("bundle"), Some("vet")) => {
                    known(&[LINT])
                }
                (Some("build"), _) | (Some("bundle"), Some("build")) => known(&[BUILD]),
                _ => Command::Plumbing,
            }
        }
        "gcloud" => classify_gcloud(all_args),
        "aws" => classify_aws(sub, rest),
        "az" => classify_az(all_args),
        "azd" => match sub {
            "up" | "deploy" | "provision" => known(&[DEPLOY]),
            "package" => known(&[BUILD]),
            _ => Command::Plumbing,
        },
        "func" if all_args.contains(&"publish") => known(&[DEPLOY]),
        "sam" | "cdk" | "cdktf" | "serverless" | "sls" | "flyctl" | "fly" | "firebase"
        | "netlify" | "wrangler" | "eb" | "copilot" | "railway" | "waypoint" | "kamal" | "mrsk"
        | "cap" | "dpl" | "zappa" | "chalice" | "vercel" | "amplify" | "render" | "porter"
        | "garden" | "tilt" | "okteto" | "devspace" | "werf" | "nomad" | "heroku" | "cf"
        | "doctl" | "shipit" | "ecs-deploy" | "ecspresso" | "lambroll" | "apex" | "up" => {
            classify_deployer(tool, sub, all_args)
        }
        "pulumi" => match sub {
            "up" | "update" => known(&[DEPLOY]),
            "preview" => Command::Plumbing,
            _ => Command::Plumbing,
        },
        "ansible-playbook" => {
            if has_flag(
                all_args,
                &["--syntax-check", "--check", "-C", "--list-tasks"],
            ) {
                known(&[LINT])
            } else {
                known(&[DEPLOY])
            }
        }
        "ansible" => Command::Plumbing,
        "kind" | "minikube" | "k3d" | "k3s" => Command::Plumbing,
        // Security and IaC scanners.
        "trivy" => {
            let sub = if sub.is_empty() { "image" } else { sub };
            scanned(match sub {
                "fs" | "filesystem" | "repo" | "repository" | "rootfs" | "sbom" | "vm" => "trivy",
                "config" | "conf" => "trivy-config",
                "k8s" | "kubernetes" => "trivy-k8s",
                "image" | "i" => "trivy-image",
                _ => return Command::Plumbing,
            })
        }
        "grype" => {
            let (target, _) = subcommand(all_args);
            let target = target.unwrap_or(".");
            let dir = target == "."
                || target.starts_with("dir:")
                || target.starts_with("sbom:")
                || target.starts_with("file:")
                || target.starts_with("./")
                || target.starts_with('/')
                || target.ends_with(".json");
            if target == "db" || target == "version" {
                Command::Plumbing
            } else {
                scanned(if dir { "grype" } else { "grype-image" })
            }
        }
        "snyk" => match sub {
            "test" | "monitor" | "" => scanned("snyk"),
            "container" => scanned("snyk-container"),
            "iac" => scanned("snyk-iac"),
            "code" => scanned("snyk-code"),
            _ => Command::Plumbing,
        },
        "osv-scanner" | "osv" => scanned("osv-scanner"),
        "semgrep" | "opengrep" => match sub {
            "login" | "--version" => Command::Plumbing,
            _ => scanned("semgrep"),
        },
        "gitleaks" => scanned("gitleaks"),
        "trufflehog" => scanned("trufflehog"),
        "detect-secrets" | "detect-secrets-hook" | "ggshield" | "talisman" => {
            scanned("detect-secrets")
        }
        "zizmor" => scanned("zizmor"),
        "scorecard" => scanned("scorecard"),
        "govulncheck" => scanned("govulncheck"),
        "nancy" => scanned("nancy"),
        "pip-audit" => scanned("pip-audit"),
        "safety" => match sub {
            "check" | "scan" | "" => scanned("safety"),
            _ => Command::Plumbing,
        },
        "retire" => scanned("retire"),
        "audit-ci" | "better-npm-audit" | "npm-audit-resolver" | "improved-yarn-audit" => {
            scanned("npm-audit")
        }
        "cargo-audit" => scanned("cargo-audit"),
        "cargo-deny" => scanned("cargo-deny"),
        "sonar-scanner" | "sonarscanner" | "dotnet-sonarscanner" => scanned("sonarqube"),
        "dependency-check" => scanned("dependency-check"),
        "gosec" => scanned("gosec"),
        "bandit" => scanned("bandit"),
        "brakeman" => scanned("brakeman"),
        "codeql" => match sub {
            "database" | "github" => scanned("codeql"),
            _ => Command::Plumbing,
        },
        "fossa" => match sub {
            "analyze" | "test" => scanned("fossa"),
            _ => Command::Plumbing,
        },
        "checkov" => scanned("checkov"),
        "tfsec" => scanned("tfsec"),
        "kics" => scanned("kics"),
        "terrascan" => match sub {
            "scan" | "" => scanned("terrascan"),
            _ => Command::Plumbing,
        },
        "kubesec" => scanned("kubesec"),
        "kubescape" => match sub {
            "scan" => scanned("kubescape"),
            _ => Command::Plumbing,
        },
        "infracost" => match sub {
            "breakdown" | "diff" | "comment" | "output" | "upload" => known(&[COST_ESTIMATE]),
            _ => Command::Plumbing,
        },
        _ => {
            if word.contains('/') || (word.contains('.') && !word.starts_with('$')) {
                // A script run by its path.
                return classify_script_file(word, args);
            }
            if tool.contains("EXPR") || tool.starts_with('$') {
                return Command::Unknown;
            }
            // An unknown tool: its first argument may name the task (`deployer deploy`).
            let mut c = Classification::default();
            if !sub.is_empty() && !sub.contains("EXPR") && !sub.starts_with('$') {
                c = classify_words(sub, Words::Target);
                // Only strong words count for an unknown tool's argument.
                c.kinds
                    .retain(|k| matches!(*k, TEST | LINT | DEPLOY | BUILD | RELEASE));
                c.scanner = None;
            }
            if c.is_empty() {
                Command::Unknown
            } else {
                Command::Known(c)
            }
        }
    }
}

fn tox_like(args: &[&str], env_flags: &[&str]) -> Command {
    let mut c = Classification::default();
    let mut named = false;
    for (i, a) in args.iter().enumerate() {
        let value = if env_flags.contains(a) {
            args.get(i + 1).copied()
        } else {
            env_flags
                .iter()
                .find_map(|f| a.strip_prefix(f).and_then(|r| r.strip_prefix('=')))
        };
        if let Some(v) = value {
            named = true;
            for env in v.split(',') {
                let env_c = classify_words(env, Words::Target);
                if env_c.is_empty() && (env.starts_with("py") || env.contains("EXPR")) {
                    // `tox -e py312`: a test environment.
                    c.add(TEST);
                }
                c.merge(env_c);
            }
        }
    }
    if !named {
        c.add(TEST);
    }
    Command::Known(c)
}

fn classify_maven(args: &[&str]) -> Command {
    let mut c = Classification::default();
    let skip_tests = args
        .iter()
        .any(|a| a.starts_with("-DskipTests") || a.starts_with("-Dmaven.test.skip"));
    for a in args.iter().filter(|a| !is_flag(a)) {
        let a = a.to_ascii_lowercase();
        match a.as_str() {
            "test"
            | "verify"
            | "integration-test"
            | "surefire:test"
            | "failsafe:integration-test" => c.add(TEST),
            "install" => {
                c.add(BUILD);
                c.add(TEST);
            }
            "package" | "compile" | "jib:build" | "spring-boot:build-image" => c.add(BUILD),
            "deploy" | "release:perform" | "jib:dockerbuild" => c.add(RELEASE),
            _ if a.contains("dependency-check") => c.add_scan("dependency-check"),
            _ if a.starts_with("sonar") || a.contains("sonar-maven-plugin") => {
                c.add_scan("sonarqube")
            }
            _ if a.ends_with(":check")
                && (a.contains("checkstyle")
                    || a.contains("spotless")
                    || a.contains("pmd")
                    || a.contains("spotbugs")
                    || a.contains("fmt")) =>
            {
                c.add(LINT)
            }
            _ if a.starts_with("checkstyle")
                || a.starts_with("spotless:check")
                || a.starts_with("spotbugs")
                || a.starts_with("pmd") =>
            {
                c.add(LINT)
            }
            _ => {}
        }
    }
    if skip_tests {
        c.kinds.remove(TEST);
    }
    if c.is_empty() {
        Command::Unknown
    } else {
        Command::Known(c)
    }
}

fn classify_gradle(args: &[&str]) -> Command {
    let mut c = Classification::default();
    let mut excluded: Vec<String> = Vec::new();
    for (i, a) in args.iter().enumerate() {
        if matches!(*a, "-x" | "--exclude-task")
            && let Some(t) = args.get(i + 1)
        {
            excluded.push(t.rsplit(':').next().unwrap_or(t).to_ascii_lowercase());
        }
    }
    let mut skip_next = false;
    for a in args {
        if skip_next {
            skip_next = false;
            continue;
        }
        if matches!(*a, "-x" | "--exclude-task" | "-p" | "--project-dir" | "-b") {
            skip_next = true;
            continue;
        }
        if is_flag(a) {
            continue;
        }
        let task = a.rsplit(':').next().unwrap_or(a).to_ascii_lowercase();
        match task.as_str() {
            "build" => {
                c.add(BUILD);
                if !excluded.iter().any(|e| e == "test" || e == "check") {
                    c.add(TEST);
                }
            }
            "check" => c.add(TEST),
            "assemble" | "jar" | "bootjar" | "shadowjar" | "war" | "installdist" | "distzip"
            | "bundlerelease" | "assemblerelease" | "assembledebug" | "jibdockerbuild"
            | "bootbuildimage" | "compilejava" | "compilekotlin" => c.add(BUILD),
            "spotlesscheck" | "ktlintcheck" | "detekt" | "lint" | "checkstylemain" | "pmdmain"
            | "spotbugsmain" | "lintdebug" | "lintrelease" => c.add(LINT),
            "dependencycheckanalyze" | "dependencycheckaggregate" => c.add_scan("dependency-check"),
            "sonar" | "sonarqube" => c.add_scan("sonarqube"),
            t if t.starts_with("publish") || t == "jib" => c.add(RELEASE),
            t if t.ends_with("test") || t.ends_with("tests") || t.starts_with("test") => {
                c.add(TEST)
            }
            _ => {}
        }
    }
    if c.is_empty() {
        Command::Unknown
    } else {
        Command::Known(c)
    }
}

fn classify_docker(tool: &str, sub: &str, rest: &[&str], args: &[&str]) -> Command {
    let compose = tool == "docker-compose" || sub == "compose";
    let (sub, rest) = if tool == "docker-compose" {
        (sub, rest)
    } else if matches!(sub, "compose" | "buildx" | "image" | "container") {
        let (inner, inner_rest) = subcommand(rest);
        (inner.unwrap_or(""), inner_rest)
    } else {
        (sub, rest)
    };
    match sub {
        "build" | "bake" => {
            if has_flag(args, &["--push"]) {
                known(&[BUILD, RELEASE])
            } else {
                known(&[BUILD])
            }
        }
        "push" => known(&[RELEASE]),
        "scout" => match rest.first().copied() {
            Some("cves" | "quickview" | "recommendations") => scanned("docker-scout"),
            _ => Command::Plumbing,
        },
        "stack" if rest.first() == Some(&"deploy") => known(&[DEPLOY]),
        "run" if compose => {
            // `docker compose run --rm app pytest`
            let mut j = 0;
            while j < rest.len() && (is_flag(rest[j]) || is_assignment(rest[j])) {
                j += 1;
            }
            match rest.get(j + 1) {
                Some(cmd) => classify_tool(&tool_name(cmd), cmd, &rest[j + 2..]),
                None => rest.get(j).map_or(Command::Plumbing, |svc| target(svc)),
            }
        }
        "run" => {
            // `docker run --rm -v $PWD:/src aquasec/trivy fs /src`: the image's tool.
            let mut j = 0;
            while let Some(a) = rest.get(j) {
                if is_flag(a) {
                    let takes_value = !a.contains('=') && DOCKER_RUN_VALUE_FLAGS.contains(a);
                    j += if takes_value { 2 } else { 1 };
                    continue;
                }
                break;
            }
            match rest.get(j) {
                Some(image) => {
                    let tool = image_tool(image);
                    match classify_tool(&tool, &tool, &rest[j + 1..]) {
                        Command::Known(c) => Command::Known(c),
                        _ => Command::Unknown,
                    }
                }
                None => Command::Plumbing,
            }
        }
        "up" | "down" | "pull" | "login" | "logout" | "tag" | "images" | "ps" | "info"
        | "system" | "save" | "load" | "logs" | "inspect" | "exec" | "rm" | "rmi" | "stop"
        | "start" | "network" | "volume" | "create" | "ls" | "prune" | "version" | "config"
        | "wait" | "kill" | "cp" | "context" | "use" | "manifest" | "imagetools" => {
            Command::Plumbing
        }
        _ => Command::Unknown,
    }
}

fn dry_run(args: &[&str]) -> bool {
    args.iter().any(|a| {
        *a == "--dry-run"
            || a.starts_with("--dry-run=client")
            || a.starts_with("--dry-run=server")
            || *a == "--dry-run=true"
    })
}

fn classify_kubectl(sub: &str, rest: &[&str], args: &[&str]) -> Command {
    match sub {
        "apply" | "create" | "replace" | "patch" | "set" | "rollout" | "scale" | "autoscale"
        | "run" | "expose" => {
            if dry_run(args) {
                known(&[LINT])
            } else if sub == "create"
                && rest.first().is_some_and(|r| {
                    matches!(*r, "namespace" | "ns" | "secret" | "configmap" | "token")
                })
            {
                Command::Plumbing
            } else {
                known(&[DEPLOY])
            }
        }
        "kustomize" | "get" | "describe" | "logs" | "wait" | "config" | "version"
        | "cluster-info" | "port-forward" | "exec" | "delete" | "label" | "annotate" | "auth"
        | "top" | "diff" | "explain" | "api-resources" | "cp" | "events" | "proxy" => {
            Command::Plumbing
        }
        _ => Command::Unknown,
    }
}

fn classify_helm(sub: &str, rest: &[&str], args: &[&str]) -> Command {
    match sub {
        "upgrade" | "install" | "rollback" => {
            if dry_run(args) {
                known(&[LINT])
            } else {
                known(&[DEPLOY])
            }
        }
        "lint" => known(&[LINT]),
        "unittest" => known(&[TEST]),
        "test" => known(&[TEST]),
        "package" => known(&[BUILD]),
        "push" | "cm-push" => known(&[RELEASE]),
        "diff" if rest.first() == Some(&"upgrade") => Command::Plumbing,
        "template" | "repo" | "dependency" | "dep" | "version" | "plugin" | "registry" | "pull"
        | "show" | "search" | "list" | "ls" | "status" | "get" | "history" | "env" | "diff"
        | "uninstall" | "delete" => Command::Plumbing,
        _ => Command::Unknown,
    }
}

fn classify_terraform(args: &[&str]) -> Command {
    // Global options (`-chdir=dir`) come before the subcommand; `terragrunt run-all apply`.
    let p: Vec<&str> = args
        .iter()
        .copied()
        .filter(|a| !is_flag(a) && *a != "run-all" && *a != "run" && *a != "--all")
        .collect();
    match p.first().copied().unwrap_or("") {
        "fmt" => {
            if has_flag(args, &["-check", "--check"]) {
                known(&[LINT])
            } else {
                Command::Rewrites
            }
        }
        "validate" | "hclfmt" => known(&[LINT]),
        "apply" => known(&[DEPLOY]),
        "test" => known(&[TEST]),
        "" | "init" | "plan" | "show" | "output" | "workspace" | "providers" | "version"
        | "state" | "import" | "refresh" | "get" | "graph" | "console" | "login"
        | "force-unlock" | "destroy" | "untaint" | "taint" => Command::Plumbing,
        _ => Command::Unknown,
    }
}

fn classify_gcloud(args: &[&str]) -> Command {
    let p: Vec<&str> = positional(args)
        .into_iter()
        .filter(|a| !matches!(*a, "beta" | "alpha"))
        .collect();
    let deploy = matches!(
        (p.first().copied(), p.get(1).copied(), p.get(2).copied()),
        (Some("run"), Some("deploy"), _)
            | (
                Some("run"),
                Some("services" | "jobs"),
                Some("replace" | "update" | "deploy")
            )
            | (Some("app"), Some("deploy"), _)
            | (Some("functions"), Some("deploy"), _)
            | (Some("deploy"), Some("releases"), Some("create" | "promote"))
            | (Some("deploy"), Some("apply"), _)
            | (Some("compute"), Some("instance-groups"), _)
            | (Some("container"), Some("clusters"), Some("upgrade"))
            | (Some("workflows"), Some("deploy"), _)
    ) && (p.first() != Some(&"compute") || p.contains(&"rolling-action"));
    if deploy {
        return known(&[DEPLOY]);
    }
    if matches!(
        (p.first().copied(), p.get(1).copied()),
        (Some("builds"), Some("submit"))
    ) {
        return known(&[BUILD]);
    }
    if p.first() == Some(&"artifacts") && p.contains(&"vulnerabilities") {
        return scanned("gcp-artifact-analysis");
    }
    Command::Plumbing
}

fn classify_aws(sub: &str, rest: &[&str]) -> Command {
    let op = subcommand(rest).0.unwrap_or("");
    let deploy = match sub {
        "ecs" => matches!(op, "update-service" | "deploy" | "create-service"),
        "cloudformation" => matches!(
            op,
            "deploy"
                | "create-stack"
                | "update-stack"
                | "execute-change-set"
                | "create-stack-set"
                | "update-stack-set"
        ),
        "lambda" => matches!(
            op,
            "update-function-code"
                | "update-function-configuration"
                | "publish-version"
                | "update-alias"
                | "create-function"
        ),
        "deploy" => matches!(op, "create-deployment" | "push"),
        "elasticbeanstalk" => matches!(op, "update-environment" | "create-environment"),
        "apprunner" => matches!(op, "start-deployment" | "update-service"),
        "amplify" => matches!(op, "start-job" | "start-deployment"),
        "autoscaling" => op == "start-instance-refresh",
        "ssm" => false,
        _ => false,
    };
    if deploy {
        known(&[DEPLOY])
    } else if sub == "ecr" && op == "start-image-scan" {
        scanned("ecr-image-scan")
    } else {
        Command::Plumbing
    }
}

fn classify_az(args: &[&str]) -> Command {
    let p = positional(args);
    let has = |w: &str| p.contains(&w);
    let deploy = (has("webapp")
        && (has("deploy")
            || has("up")
            || has("deployment")
            || (has("config") && has("container"))))
        || (has("functionapp") && (has("deployment") || has("deploy") || has("publish")))
        || (p.first() == Some(&"deployment") && has("create"))
        || (has("containerapp") && (has("update") || has("up") || has("create")))
        || (has("spring") && has("deploy"))
        || (has("staticwebapp") && has("deploy"))
        || (has("aks") && has("command") && has("invoke"));
    if deploy {
        known(&[DEPLOY])
    } else if has("acr") && has("build") {
        known(&[BUILD])
    } else {
        Command::Plumbing
    }
}

fn classify_deployer(tool: &str, sub: &str, args: &[&str]) -> Command {
    let p = positional(args);
    let has = |w: &str| p.contains(&w);
    match tool {
        "sam" | "cdk" | "cdktf" | "serverless" | "sls" => match sub {
            "deploy" => known(&[DEPLOY]),
            "build" | "synth" | "package" => known(&[BUILD]),
            _ => Command::Plumbing,
        },
        "vercel" => {
            if sub == "deploy" || has_flag(args, &["--prod"]) || sub.is_empty() {
                known(&[DEPLOY])
            } else if sub == "build" {
                known(&[BUILD])
            } else {
                Command::Plumbing
            }
        }
        "heroku" => {
            if sub.starts_with("container:release") || has("releases:promote") || sub == "deploy" {
                known(&[DEPLOY])
            } else {
                Command::Plumbing
            }
        }
        "cf" => match sub {
            "push" | "deploy" | "bgd" | "blue-green-deploy" | "zero-downtime-push" => {
                known(&[DEPLOY])
            }
            _ => Command::Plumbing,
        },
        "nomad" => {
            if (sub == "job" && has("run")) || sub == "run" {
                known(&[DEPLOY])
            } else if sub == "job" && has("validate") {
                known(&[LINT])
            } else {
                Command::Plumbing
            }
        }
        "doctl" => {
            if has("create-deployment") || (has("apps") && has("update")) {
                known(&[DEPLOY])
            } else {
                Command::Plumbing
            }
        }
        "tilt" | "garden" | "okteto" | "devspace" | "werf" => match sub {
            "up" | "deploy" | "ci" | "converge" => known(&[DEPLOY]),
            "test" => known(&[TEST]),
            "build" => known(&[BUILD]),
            _ => Command::Plumbing,
        },
        "railway" | "waypoint" | "up" => match sub {
            "up" | "deploy" => known(&[DEPLOY]),
            _ => Command::Plumbing,
        },
        "ecs-deploy" | "ecspresso" | "lambroll" | "apex" | "dpl" | "shipit" => {
            if tool == "ecspresso" && sub != "deploy" {
                Command::Plumbing
            } else {
                known(&[DEPLOY])
            }
        }
        _ => {
            // flyctl, firebase, netlify, wrangler, eb, copilot, kamal, cap, zappa, …:
            // `deploy` (or `publish`/`update` for a few) anywhere among the words.
            if has("deploy")
                || has("publish") && matches!(tool, "wrangler")
                || (tool == "zappa" && has("update"))
            {
                known(&[DEPLOY])
            } else {
                Command::Plumbing
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(script: &str) -> (Vec<&'static str>, Option<&'static str>) {
        let c = classify_script(script).class;
        (c.kinds.into_iter().collect(), c.scanner)
    }

    #[test]
    fn commands_by_kind() {
        let cases: &[(&str, &[&str])] = &[
            // Tests.
            ("cargo test --all-features", &[TEST]),
            ("cargo nextest run", &[TEST]),
            ("go test -race ./...", &[TEST]),
            ("npm test", &[TEST]),
            ("npm run test:unit", &[TEST]),
            ("yarn test --coverage", &[TEST]),
            ("pnpm test", &[TEST]),
            ("pnpm run test", &[TEST]),
            ("pytest -q tests/", &[TEST]),
            ("python -m pytest", &[TEST]),
            ("poetry run pytest", &[TEST]),
            ("uv run pytest -x", &[TEST]),
            ("tox", &[TEST]),
            ("tox -e py312", &[TEST]),
            ("nox -s tests", &[TEST]),
            ("make test", &[TEST]),
            ("make check", &[TEST]),
            ("make -C src test-e2e", &[TEST]),
            ("mvn -B verify", &[TEST]),
            ("./mvnw test", &[TEST]),
            ("./gradlew test", &[TEST]),
            ("./gradlew check", &[TEST]),
            ("dotnet test", &[TEST]),
            ("bundle exec rspec", &[TEST]),
            ("bundle exec rake spec", &[TEST]),
            ("npx jest --ci", &[TEST]),
            ("npx vitest run", &[TEST]),
            ("vendor/bin/phpunit", &[TEST]),
            ("ctest --output-on-failure", &[TEST]),
            ("bazel test //...", &[TEST]),
            ("promtool test rules tests/*.yaml", &[TEST]),
            ("helm unittest charts/app", &[TEST]),
            ("ct install --config ct.yaml", &[TEST]),
            ("./test/e2e.sh", &[TEST]),
            ("bin/tests --postgresql-host postgres", &[TEST]),
            ("python manage.py test", &[TEST]),
            ("go run gotest.tools/gotestsum@latest", &[TEST]),
            ("npx playwright test", &[TEST]),
            ("mix test", &[TEST]),
            ("make verify test_fancy", &[TEST]),
            // Lint.
            ("golangci-lint run ./...", &[LINT]),
            ("npx eslint .", &[LINT]),
            ("npm run lint", &[LINT]),
            ("yarn lint", &[LINT]),
            ("ruff check .", &[LINT]),
            ("ruff format --check .", &[LINT]),
            ("flake8 src", &[LINT]),
            ("pylint app", &[LINT]),
            ("cargo clippy -- -D warnings", &[LINT]),
            ("cargo fmt --all -- --check", &[LINT]),
            ("cargo fmt --check", &[LINT]),
            ("test -z \"$(gofmt -l .)\"", &[LINT]),
            ("go vet ./...", &[LINT]),
            ("npx prettier --check .", &[LINT]),
            ("hadolint Dockerfile", &[LINT]),
            ("shellcheck scripts/*.sh", &[LINT]),
            ("yamllint -c .yamllint .", &[LINT]),
            ("markdownlint '**/*.md'", &[LINT]),
            ("actionlint", &[LINT]),
            ("tflint --recursive", &[LINT]),
            ("terraform fmt -check -recursive", &[LINT]),
            ("terraform validate", &[LINT]),
            ("terraform -chdir=infra validate", &[LINT]),
            ("promtool check rules rules/*.yaml", &[LINT]),
            ("pre-commit run --all-files", &[LINT]),
            ("black --check .", &[LINT]),
            ("mypy src", &[LINT]),
            ("isort --check-only .", &[LINT]),
            ("helm lint charts/app", &[LINT]),
            ("ct lint --all", &[LINT]),
            ("kubeconform -strict manifests/", &[LINT]),
            ("make lint GOLANGCI_LINT_ARGS=\"--out=x\"", &[LINT]),
            ("./support/lint_gitaly_version.sh", &[LINT]),
            ("dotnet format --verify-no-changes", &[LINT]),
            ("npx tsc --noEmit", &[LINT]),
            ("timoni mod vet ./timoni/podinfo --debug", &[LINT]),
            // Build.
            ("cargo build --release", &[BUILD]),
            ("go build -o bin/app ./cmd/app", &[BUILD]),
            ("docker build -t app .", &[BUILD]),
            ("docker buildx build --platform linux/amd64 .", &[BUILD]),
            ("mvn -B package -DskipTests", &[BUILD]),
            ("./gradlew assemble", &[BUILD]),
            ("npm run build", &[BUILD]),
            ("ko build ./cmd/app", &[BUILD]),
            ("make build", &[BUILD]),
            ("helm package charts/app", &[BUILD]),
            ("python -m build", &[BUILD]),
            // Deploy.
            ("kubectl apply -f k8s/", &[DEPLOY]),
            ("kubectl rollout restart deployment/app", &[DEPLOY]),
            ("kubectl set image deployment/app app=img:1", &[DEPLOY]),
            ("helm upgrade --install app charts/app", &[DEPLOY]),
            ("helm install app charts/app", &[DEPLOY]),
            ("terraform apply -auto-approve tfplan", &[DEPLOY]),
            ("terragrunt run-all apply", &[DEPLOY]),
            ("gcloud run deploy app --image x", &[DEPLOY]),
            ("gcloud app deploy", &[DEPLOY]),
            ("gcloud beta run deploy app", &[DEPLOY]),
            ("aws ecs update-service --cluster c --service s", &[DEPLOY]),
            (
                "aws cloudformation deploy --template-file t.yaml",
                &[DEPLOY],
            ),
            (
                "aws lambda update-function-code --function-name f",
                &[DEPLOY],
            ),
            ("az webapp deploy --name app", &[DEPLOY]),
            ("az deployment group create -g rg -f main.bicep", &[DEPLOY]),
            ("serverless deploy --stage prod", &[DEPLOY]),
            ("npx serverless deploy", &[DEPLOY]),
            ("flyctl deploy --remote-only", &[DEPLOY]),
            ("fly deploy", &[DEPLOY]),
            ("argocd app sync my-app", &[DEPLOY]),
            ("flux reconcile kustomization apps", &[DEPLOY]),
            ("npx cdk deploy --all", &[DEPLOY]),
            ("pulumi up --yes", &[DEPLOY]),
            ("sam deploy --no-confirm-changeset", &[DEPLOY]),
            ("firebase deploy --only hosting", &[DEPLOY]),
            ("skaffold run -p prod", &[DEPLOY]),
            ("python ./deploy.py staging", &[DEPLOY]),
            ("deployer deploy cluster hub", &[DEPLOY]),
            ("deployer deploy-support cluster", &[DEPLOY]),
            ("bash scripts/terraform-apply.sh dir", &[DEPLOY]),
            ("timoni bundle apply -f bundle.cue", &[DEPLOY]),
            ("git push heroku main", &[DEPLOY]),
            ("ansible-playbook -i inventory site.yml", &[DEPLOY]),
            // Release.
            ("docker push ghcr.io/org/app:1.0", &[RELEASE]),
            ("npm publish --access public", &[RELEASE]),
            ("cargo publish", &[RELEASE]),
            ("twine upload dist/*", &[RELEASE]),
            ("gh release create v1.0.0 dist/*", &[RELEASE]),
            ("npx semantic-release", &[RELEASE]),
            ("goreleaser release --clean", &[BUILD, RELEASE]),
            ("helm push app-1.0.tgz oci://ghcr.io/org/charts", &[RELEASE]),
            (
                "flux push artifact oci://ghcr.io/org/manifests:1 --path=.",
                &[RELEASE],
            ),
            ("mvn deploy", &[RELEASE]),
            // Automerge.
            ("gh pr merge --auto --squash \"$PR_URL\"", &[AUTOMERGE]),
            // Cost.
            ("infracost breakdown --path .", &[COST_ESTIMATE]),
            (
                "infracost diff --path=. --compare-to=/tmp/base.json",
                &[COST_ESTIMATE],
            ),
            // Plumbing and unknown commands say nothing.
            ("echo hello", &[]),
            ("apt-get update && apt-get install -y jq", &[]),
            ("terraform plan -out tfplan", &[]),
            ("terraform init", &[]),
            ("kubectl logs -l app=podinfo || true", &[]),
            ("kubectl wait --for=condition=ready pod", &[]),
            ("bash ./scripts/check-github-api-usage.sh", &[]),
            ("pip install -r requirements.txt", &[]),
            ("npm ci", &[]),
            ("go mod download", &[]),
            ("git diff --exit-code", &[]),
            ("helm template charts/app > out.yaml", &[]),
            ("docker login ghcr.io -u x", &[]),
            ("echo 'deploy to production'", &[]),
            ("kubectl apply --dry-run=client -f k8s/", &[LINT]),
            // Rewriting then failing on a diff is a check.
            ("cue fmt ./...\nstatus=$(git status . --porcelain)", &[LINT]),
            ("go mod tidy\ngit diff --exit-code go.mod go.sum", &[LINT]),
            ("cargo fmt", &[]),
            ("make install", &[]),
            ("make generate\ngit diff --exit-code", &[LINT]),
            ("make", &[]),
            ("bash scripts/terraform-init.sh dir", &[]),
            (
                "Get-ChildItem -Force | ForEach-Object { Remove-Item $_ }",
                &[],
            ),
            ("$ErrorActionPreference = \"Continue\"", &[]),
            ("Invoke-Pester -Path tests", &[TEST]),
            ("make ci-integration-cli", &[TEST]),
            (
                "eng\\common\\cibuild.cmd -configuration $(_BuildConfig) -prepareMachine",
                &[BUILD, TEST],
            ),
            (
                "eng/common/cibuild.sh --configuration Release",
                &[BUILD, TEST],
            ),
            ("script/cibuild", &[BUILD, TEST]),
            ("buildkite-agent pipeline upload .buildkite/deploy.yml", &[]),
            (
                "make docker-push DOCKER_IMAGE_REPO=thanosio/thanos",
                &[RELEASE],
            ),
            ("mvn.cmd -B verify", &[TEST]),
            ("echo \"x=1\" >> $GITHUB_OUTPUT", &[]),
            ("if [[ $(git diff --stat) != '' ]]; then exit 1; fi", &[]),
            ("echo \"Error: must match vX.Y.Z (e.g., v1.2.3)\"", &[]),
            ("sudo ln -s $(which sed) /usr/local/bin/gsed", &[]),
            ("base=$(( total / 2 ))", &[]),
            (
                "if [[ -z \"$X\" || \"$X\" == \"null\" ]]; then exit 1; fi",
                &[],
            ),
            (
                "get_ip() {\n  kubectl get svc x\n}\nuntil [[ -n \"$(get_ip)\" ]]; do sleep 3; done",
                &[],
            ),
            ("VERSION=$(git describe --tags) make build", &[BUILD]),
            (
                "for d in */; do (cd \"$d\" && terraform validate); done",
                &[LINT],
            ),
        ];
        for (script, want) in cases {
            let (kinds, _) = run(script);
            assert_eq!(&kinds, want, "{script}");
        }
    }

    /// `command | kind | scanner`, one command per line.
    const SCANNER_CASES: &str = "
        trivy fs --exit-code 1 . | security-scan | trivy
        trivy repo . | security-scan | trivy
        trivy image ghcr.io/org/app:1 | security-scan | trivy-image
        trivy config terraform/ | iac-scan | trivy-config
        grype dir:. | security-scan | grype
        grype ghcr.io/org/app:1 | security-scan | grype-image
        snyk test --all-projects | security-scan | snyk
        snyk container test app:1 | security-scan | snyk-container
        snyk iac test | iac-scan | snyk-iac
        osv-scanner -r . | security-scan | osv-scanner
        cargo audit | security-scan | cargo-audit
        cargo deny check advisories | security-scan | cargo-deny
        npm audit --audit-level=high | security-scan | npm-audit
        yarn audit | security-scan | yarn-audit
        yarn npm audit --all | security-scan | yarn-audit
        govulncheck ./... | security-scan | govulncheck
        go run golang.org/x/vuln/cmd/govulncheck@latest ./... | security-scan | govulncheck
        pip-audit -r requirements.txt | security-scan | pip-audit
        safety check | security-scan | safety
        bundle exec bundle-audit check --update | security-scan | bundler-audit
        bundle audit | security-scan | bundler-audit
        gitleaks detect --source . | security-scan | gitleaks
        trufflehog git file://. --fail | security-scan | trufflehog
        semgrep ci | security-scan | semgrep
        zizmor .github/workflows | security-scan | zizmor
        sonar-scanner -Dsonar.projectKey=x | security-scan | sonarqube
        ./gradlew dependencyCheckAnalyze | security-scan | dependency-check
        mvn org.owasp:dependency-check-maven:check | security-scan | dependency-check
        checkov -d . | iac-scan | checkov
        tfsec . | iac-scan | tfsec
        kics scan -p . | iac-scan | kics
        terrascan scan -i terraform | iac-scan | terrascan
        kubescape scan framework nsa manifests/ | iac-scan | kubescape
        make kubescape | iac-scan | kubescape
        docker run --rm -v $PWD:/src aquasec/trivy:0.50 fs /src | security-scan | trivy
        docker scout cves app:1 | security-scan | docker-scout
";

    #[test]
    fn scanners_from_commands() {
        for line in SCANNER_CASES
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
        {
            let fields: Vec<&str> = line.split(" | ").map(str::trim).collect();
            let (kinds, found) = run(fields[0]);
            let mut want = vec![fields[1]];
            let vulnerable = match super::super::steps::scanner_coverage(fields[2]) {
                super::super::steps::ScanCoverage::All => true,
                super::super::steps::ScanCoverage::Some(list) => !list.is_empty(),
            };
            if vulnerable {
                want.push("vulnerability-scan");
            }
            assert_eq!(kinds, want, "{line}");
            assert_eq!(found, Some(fields[2]), "{line}");
        }
    }
}
