//! A tolerant reader of the Groovy that Jenkins pipelines are written in: enough structure
//! to find stages, steps and their string arguments, not a Groovy parser.
//!
//! The text is cut into tokens (words, string literals, punctuation, line ends), skipping
//! comments; strings keep their text whatever quotes they use (`'…'`, `"…"` with `${…}`
//! interpolations, `'''…'''`, `"""…"""`). Tokens are then grouped into statements: a head
//! (`sh`, `stage`, `docker.build`), the strings and `key: 'value'` arguments of its call,
//! the calls made inside it (`def v = sh(script: …)`), and the closures it takes
//! (`stage('Test') { … }`), read recursively.
//!
//! Malformed text never fails: an unterminated string ends at its line (or the text), an
//! unbalanced brace ends the block, nesting deeper than [`MAX_NESTING`] is skipped, and
//! at most [`MAX_TOKENS`] tokens are read.

use std::collections::BTreeSet;

/// Most tokens read from one file.
pub const MAX_TOKENS: usize = 500_000;
/// Deepest nesting of closures read.
pub const MAX_NESTING: u32 = 64;

#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    /// An identifier, keyword or number.
    Word(String),
    /// A string literal's text, without quotes.
    Str(String),
    Punct(char),
    Newline,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    pub tok: Tok,
    pub line: u32,
    pub col: u32,
}

/// A statement: its head call, the calls inside it and its closures.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Statement {
    /// The head: a word or dotted chain (`sh`, `docker.build`, `@Library`); empty when the
    /// statement starts otherwise.
    pub name: String,
    pub line: u32,
    pub col: u32,
    /// Whether the head is called: with parentheses, string arguments or a closure.
    pub called: bool,
    /// String arguments of the head, in order.
    pub strings: Vec<String>,
    /// `key: 'value'` arguments of the head.
    pub named: Vec<(String, String)>,
    /// Calls made inside the statement, outside its closures (`name(…)`, `.push(…)`),
    /// with their own arguments.
    pub calls: Vec<Statement>,
    /// Closures, in order.
    pub blocks: Vec<Vec<Statement>>,
}

impl Statement {
    /// A `key: 'value'` argument.
    pub fn named(&self, key: &str) -> Option<&str> {
        self.named
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// A parsed script: its statements and the methods and closures it defines
/// (`def deploy(env) { … }`), which are not steps of a library.
#[derive(Debug, Clone, Default)]
pub struct Script {
    pub statements: Vec<Statement>,
    pub methods: BTreeSet<String>,
}

pub fn parse(text: &str) -> Script {
    let tokens = tokenize(text);
    let mut parser = Parser {
        tokens: &tokens,
        i: 0,
    };
    let statements = parser.block(0, false);
    Script {
        statements,
        methods: defined_methods(&tokens),
    }
}

// ---------------------------------------------------------------------------------------
// Tokens

struct Chars {
    chars: Vec<char>,
    i: usize,
    line: u32,
    col: u32,
}

impl Chars {
    fn peek(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.i + ahead).copied()
    }

    fn starts_with(&self, s: &str) -> bool {
        s.chars().enumerate().all(|(k, c)| self.peek(k) == Some(c))
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek(0)?;
        self.i += 1;
        if c == '\n' {
            self.line += 1;
            self.col = 1;
        } else {
            self.col += 1;
        }
        Some(c)
    }
}

pub fn tokenize(text: &str) -> Vec<Token> {
    let mut s = Chars {
        chars: text.chars().collect(),
        i: 0,
        line: 1,
        col: 1,
    };
    let mut out: Vec<Token> = Vec::new();
    // A shebang line.
    if s.starts_with("#!") {
        while s.peek(0).is_some_and(|c| c != '\n') {
            s.bump();
        }
    }
    while let Some(c) = s.peek(0) {
        if out.len() >= MAX_TOKENS {
            break;
        }
        let (line, col) = (s.line, s.col);
        let push = |out: &mut Vec<Token>, tok: Tok| out.push(Token { tok, line, col });
        if c == '\n' {
            s.bump();
            if !matches!(
                out.last(),
                Some(Token {
                    tok: Tok::Newline,
                    ..
                })
            ) {
                push(&mut out, Tok::Newline);
            }
        } else if c.is_whitespace() {
            s.bump();
        } else if s.starts_with("//") {
            while s.peek(0).is_some_and(|c| c != '\n') {
                s.bump();
            }
        } else if s.starts_with("/*") {
            s.bump();
            s.bump();
            while s.peek(0).is_some() && !s.starts_with("*/") {
                s.bump();
            }
            s.bump();
            s.bump();
        } else if s.starts_with("'''") || s.starts_with("\"\"\"") {
            let quote = c;
            for _ in 0..3 {
                s.bump();
            }
            let text = read_string(&mut s, quote, true);
            push(&mut out, Tok::Str(text));
        } else if c == '\'' || c == '"' {
            s.bump();
            let text = read_string(&mut s, c, false);
            push(&mut out, Tok::Str(text));
        } else if c.is_alphanumeric() || c == '_' || c == '$' {
            let mut word = String::new();
            while let Some(c) = s.peek(0) {
                if c.is_alphanumeric() || c == '_' || c == '$' {
                    word.push(c);
                    s.bump();
                } else {
                    break;
                }
            }
            push(&mut out, Tok::Word(word));
        } else {
            s.bump();
            push(&mut out, Tok::Punct(c));
        }
    }
    out
}

/// Reads a string literal after its opening quote(s); a one-line string ends at its line
/// when unterminated.
fn read_string(s: &mut Chars, quote: char, triple: bool) -> String {
    let mut text = String::new();
    loop {
        let Some(c) = s.peek(0) else {
            return text;
        };
        if triple && c == quote && s.peek(1) == Some(quote) && s.peek(2) == Some(quote) {
            for _ in 0..3 {
                s.bump();
            }
            return text;
        }
        if !triple && c == quote {
            s.bump();
            return text;
        }
        if !triple && c == '\n' {
            return text;
        }
        if c == '\\' {
            s.bump();
            match s.bump() {
                Some('n') => text.push('\n'),
                Some('t') => text.push('\t'),
                Some('\n') => {}
                Some(e @ ('\'' | '"' | '\\' | '$' | '/')) => text.push(e),
                Some(e) => {
                    text.push('\\');
                    text.push(e);
                }
                None => return text,
            }
            continue;
        }
        if quote == '"' && c == '$' && s.peek(1) == Some('{') {
            read_interpolation(s, &mut text);
            continue;
        }
        text.push(c);
        s.bump();
    }
}

/// Copies a `${…}` interpolation, whose braces and quotes do not end the string.
fn read_interpolation(s: &mut Chars, text: &mut String) {
    let mut depth = 0u32;
    let mut quote: Option<char> = None;
    while let Some(c) = s.peek(0) {
        if c == '\n' && quote.is_some() {
            quote = None;
        }
        text.push(c);
        s.bump();
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), '\\') => {
                if let Some(n) = s.bump() {
                    text.push(n);
                }
            }
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '{') => depth += 1,
            (None, '}') => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return;
                }
            }
            _ => {}
        }
    }
}

/// Methods and closures the script defines: `def name(…)`, `void name(…)`,
/// `def name = { … }`.
fn defined_methods(tokens: &[Token]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for w in tokens.windows(3) {
        let (Tok::Word(kw), Tok::Word(name)) = (&w[0].tok, &w[1].tok) else {
            continue;
        };
        let definer = matches!(
            kw.as_str(),
            "def" | "void" | "String" | "boolean" | "Boolean" | "int" | "Map" | "List" | "Object"
        );
        let opens = matches!(w[2].tok, Tok::Punct('(') | Tok::Punct('='));
        if definer && opens {
            out.insert(name.clone());
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// Statements

struct Parser<'a> {
    tokens: &'a [Token],
    i: usize,
}

/// A call being read: its statement and the parenthesis level its arguments are at.
struct Frame {
    call: Statement,
    level: u32,
    head: bool,
}

impl<'a> Parser<'a> {
    fn tok(&self, at: usize) -> Option<&'a Tok> {
        self.tokens.get(at).map(|t| &t.tok)
    }

    fn block(&mut self, depth: u32, inner: bool) -> Vec<Statement> {
        let mut out = Vec::new();
        loop {
            match self.tok(self.i) {
                None => return out,
                Some(Tok::Newline | Tok::Punct(';')) => self.i += 1,
                Some(Tok::Punct('}')) => {
                    self.i += 1;
                    if inner {
                        return out;
                    }
                }
                Some(_) => {
                    let before = self.i;
                    let statement = self.statement(depth);
                    if self.i == before {
                        self.i += 1;
                    }
                    out.push(statement);
                }
            }
        }
    }

    /// Skips a closure too deep to read, to its closing brace.
    fn skip_block(&mut self) {
        let mut depth = 1u32;
        while let Some(t) = self.tok(self.i) {
            self.i += 1;
            match t {
                Tok::Punct('{') => depth += 1,
                Tok::Punct('}') => {
                    depth -= 1;
                    if depth == 0 {
                        return;
                    }
                }
                _ => {}
            }
        }
    }

    /// A word or dotted chain starting at `at` (`docker.image`, `env.X`); its end.
    fn chain(&self, at: usize) -> (String, usize) {
        let mut name = match self.tok(at) {
            Some(Tok::Word(w)) => w.clone(),
            _ => return (String::new(), at),
        };
        let mut j = at + 1;
        loop {
            let dot = match (self.tok(j), self.tok(j + 1)) {
                (Some(Tok::Punct('.')), _) => 1,
                (Some(Tok::Punct('?')), Some(Tok::Punct('.'))) => 2,
                _ => break,
            };
            match self.tok(j + dot) {
                Some(Tok::Word(w)) => {
                    name.push('.');
                    name.push_str(w);
                    j += dot + 1;
                }
                _ => break,
            }
        }
        (name, j)
    }

    /// Whether a line end inside a statement continues it: an operator or comma ends the
    /// line, or the next line starts with `.` (a method chain).
    fn continues(&self) -> bool {
        let before = self.i.checked_sub(1).and_then(|b| self.tok(b));
        let open_ended = matches!(
            before,
            Some(Tok::Punct(
                ',' | '(' | '[' | '=' | '+' | '-' | '*' | '&' | '|' | '?' | ':' | '.' | '<' | '>'
            ))
        );
        let mut j = self.i;
        while matches!(self.tok(j), Some(Tok::Newline)) {
            j += 1;
        }
        open_ended || matches!(self.tok(j), Some(Tok::Punct('.')))
    }

    fn statement(&mut self, depth: u32) -> Statement {
        let (line, col) = self.tokens.get(self.i).map_or((0, 0), |t| (t.line, t.col));
        let mut st = Statement {
            line,
            col,
            ..Default::default()
        };
        // The head.
        match (self.tok(self.i), self.tok(self.i + 1)) {
            (Some(Tok::Punct('@')), Some(Tok::Word(w))) => {
                st.name = format!("@{w}");
                self.i += 2;
            }
            (Some(Tok::Word(_)), _) => {
                let (name, end) = self.chain(self.i);
                st.name = name;
                self.i = end;
            }
            _ => {}
        }
        let mut frames: Vec<Frame> = Vec::new();
        if !st.name.is_empty() && matches!(self.tok(self.i), Some(Tok::Punct('('))) {
            frames.push(Frame {
                call: Statement::default(),
                level: 1,
                head: true,
            });
            st.called = true;
        }
        let (mut paren, mut bracket) = (0u32, 0u32);
        let mut head_strings = Vec::new();
        let mut head_named = Vec::new();
        while let Some(tok) = self.tok(self.i) {
            match tok {
                Tok::Newline => {
                    if paren == 0 && bracket == 0 && !self.continues() {
                        break;
                    }
                    self.i += 1;
                }
                Tok::Punct(';') if paren == 0 && bracket == 0 => break,
                Tok::Punct('}') => break,
                Tok::Punct('{') => {
                    self.i += 1;
                    let block = if depth < MAX_NESTING {
                        self.block(depth + 1, true)
                    } else {
                        self.skip_block();
                        Vec::new()
                    };
                    st.blocks.push(block);
                    st.called = true;
                }
                Tok::Punct('(') => {
                    paren += 1;
                    self.i += 1;
                }
                Tok::Punct(')') => {
                    if let Some(f) = frames.pop_if(|f| f.level == paren) {
                        close(f, &mut st, &mut head_strings, &mut head_named);
                    }
                    paren = paren.saturating_sub(1);
                    self.i += 1;
                }
                Tok::Punct('[') => {
                    bracket += 1;
                    self.i += 1;
                }
                Tok::Punct(']') => {
                    bracket = bracket.saturating_sub(1);
                    self.i += 1;
                }
                Tok::Punct('.') if matches!(self.tok(self.i + 1), Some(Tok::Word(_))) => {
                    let (name, end) = self.chain(self.i + 1);
                    self.call_or_word(format!(".{name}"), end, paren, &mut frames);
                }
                Tok::Word(_) => {
                    let (name, end) = self.chain(self.i);
                    // `key: 'value'`
                    if let (Some(Tok::Punct(':')), Some(Tok::Str(value))) =
                        (self.tok(end), self.tok(end + 1))
                        && !name.contains('.')
                    {
                        let pair = (name, value.clone());
                        match frames.last_mut() {
                            Some(f) if f.level == paren && !f.head => f.call.named.push(pair),
                            _ if paren <= 1 => {
                                head_named.push(pair);
                                st.called |= paren == 0 && !st.name.is_empty();
                            }
                            _ => {}
                        }
                        self.i = end + 2;
                        continue;
                    }
                    self.call_or_word(name, end, paren, &mut frames);
                }
                Tok::Str(s) => {
                    let s = s.clone();
                    match frames.last_mut() {
                        Some(f) if !f.head && f.level == paren => f.call.strings.push(s),
                        _ if paren <= 1 => {
                            head_strings.push(s);
                            if paren == 0 && !st.name.is_empty() {
                                st.called = true;
                            }
                        }
                        _ => {}
                    }
                    self.i += 1;
                }
                Tok::Punct(_) => self.i += 1,
            }
        }
        // Calls left open by unbalanced parentheses.
        while let Some(f) = frames.pop() {
            close(f, &mut st, &mut head_strings, &mut head_named);
        }
        st.strings = head_strings;
        st.named = head_named;
        st
    }

    /// A word chain ending before `end`: a call when `(` follows.
    fn call_or_word(&mut self, name: String, end: usize, paren: u32, frames: &mut Vec<Frame>) {
        let (line, col) = self.tokens.get(self.i).map_or((0, 0), |t| (t.line, t.col));
        if matches!(self.tok(end), Some(Tok::Punct('('))) {
            frames.push(Frame {
                call: Statement {
                    name,
                    line,
                    col,
                    called: true,
                    ..Default::default()
                },
                level: paren + 1,
                head: false,
            });
        }
        self.i = end.max(self.i + 1);
    }
}

fn close(
    frame: Frame,
    st: &mut Statement,
    head_strings: &mut Vec<String>,
    head_named: &mut Vec<(String, String)>,
) {
    if frame.head {
        head_strings.extend(frame.call.strings);
        head_named.extend(frame.call.named);
    } else {
        st.calls.push(frame.call);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        tokenize(text)
            .into_iter()
            .map(|t| match t.tok {
                Tok::Word(w) => w,
                Tok::Str(s) => format!("'{s}'"),
                Tok::Punct(c) => c.to_string(),
                Tok::Newline => "NL".to_string(),
            })
            .collect()
    }

    #[test]
    fn tokens_skip_comments_and_keep_strings() {
        assert_eq!(
            words("sh 'make test' // run\n/* a { b */ x(\"a ${b ? \"{\" : '}'} c\")"),
            [
                "sh",
                "'make test'",
                "NL",
                "x",
                "(",
                "'a ${b ? \"{\" : '}'} c'",
                ")"
            ]
        );
        assert_eq!(
            words("sh '''\n  make \\\n  test\n'''\n"),
            ["sh", "'\n  make   test\n'", "NL"]
        );
        assert_eq!(
            words("a 'unterminated\nb"),
            ["a", "'unterminated'", "NL", "b"]
        );
        assert_eq!(words("#!groovy\nnode"), ["NL", "node"]);
    }

    #[test]
    fn tokens_know_their_lines() {
        let t = tokenize("pipeline {\n  stages {\n    sh 'x'\n  }\n}\n");
        let sh = t.iter().find(|t| t.tok == Tok::Word("sh".into())).unwrap();
        assert_eq!((sh.line, sh.col), (3, 5));
    }

    const DECLARATIVE: &str = r#"@Library('shared@main') _
pipeline {
  agent any
  triggers { cron('H 4 * * *') }
  stages {
    stage('Build') {
      steps {
        sh script: './gradlew build', label: 'Build'
        script {
          def v = sh(returnStdout: true, script: "git describe").trim()
          docker.image("app:${v}").push()
        }
      }
    }
    stage('Test') {
      when { changeRequest() }
      steps { sh 'make test' }
      post { always { junit '**/TEST-*.xml' } }
    }
  }
}
"#;

    #[test]
    fn statements_of_a_declarative_pipeline() {
        let script = parse(DECLARATIVE);
        let s = &script.statements;
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].name, "@Library");
        assert_eq!(s[0].strings, ["shared@main"]);
        assert_eq!(s[1].name, "pipeline");
        let body = &s[1].blocks[0];
        let names: Vec<&str> = body.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["agent", "triggers", "stages"]);
        assert_eq!(body[1].blocks[0][0].name, "cron");
        assert_eq!(body[1].blocks[0][0].strings, ["H 4 * * *"]);
        let stages = &body[2].blocks[0];
        assert_eq!(stages[0].strings, ["Build"]);
        let steps = &stages[0].blocks[0][0].blocks[0];
        assert_eq!(steps[0].name, "sh");
        assert_eq!(steps[0].named("script"), Some("./gradlew build"));
        assert_eq!(steps[0].line, 8);
        let inner = &steps[1].blocks[0];
        assert_eq!(inner[0].name, "def");
        assert_eq!(inner[0].calls[0].name, "sh");
        assert_eq!(inner[0].calls[0].named("script"), Some("git describe"));
        assert_eq!(inner[1].name, "docker.image");
        assert_eq!(inner[1].calls[0].name, ".push");
        let test = &stages[1];
        assert_eq!(test.blocks[0][0].name, "when");
        assert_eq!(test.blocks[0][1].blocks[0][0].strings, ["make test"]);
    }

    #[test]
    fn scripted_pipelines_and_groovy_control_flow() {
        let text = "def deploy(String env) {\n  sh \"./deploy.sh ${env}\"\n}\nnode('linux') {\n  try {\n    stage 'Build'\n    sh 'make'\n  } catch (e) {\n    echo 'failed'\n  } finally {\n    cleanWs()\n  }\n  parallel(unit: { sh 'make test' }, lint: {\n    sh 'make lint'\n  })\n}\n";
        let script = parse(text);
        assert!(script.methods.contains("deploy"));
        let node = &script.statements[1];
        assert_eq!(node.name, "node");
        assert_eq!(node.strings, ["linux"]);
        let body = &node.blocks[0];
        assert_eq!(body[0].name, "try");
        assert_eq!(body[0].blocks.len(), 3);
        assert_eq!(body[0].blocks[0][0].strings, ["Build"]);
        assert_eq!(body[1].name, "parallel");
        assert_eq!(body[1].blocks.len(), 2);
        assert_eq!(body[1].blocks[1][0].strings, ["make lint"]);
    }

    #[test]
    fn a_library_call_over_several_lines() {
        let text = "buildPlugin(\n  forkCount: '1C', // per core\n  useContainerAgent: false,\n  configurations: [\n    [platform: 'linux', jdk: 25],\n])\n";
        let script = parse(text);
        assert_eq!(script.statements.len(), 1);
        let s = &script.statements[0];
        assert_eq!(s.name, "buildPlugin");
        assert!(s.called);
        assert_eq!(s.named("forkCount"), Some("1C"));
        assert_eq!(s.named("platform"), Some("linux"));
    }

    #[test]
    fn hostile_text_never_panics_and_stays_bounded() {
        for text in [
            "",
            "}",
            "{{{{",
            ")))(((",
            "'",
            "\"${",
            "\"${'",
            "'''",
            "/*",
            "@",
            ".",
            "a.",
            "a ?.",
            "sh(",
            "x: ",
            "é ü 中",
            "\\",
            "\"\\",
        ] {
            let _ = parse(text);
        }
        // Random texts over Groovy's troublesome characters (a fixed-seed generator).
        let alphabet: Vec<char> = "ab sh()[]{}'\"$/*\\\n.:,?=@#é".chars().collect();
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..2_000 {
            let text: String = (0..120)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    alphabet[(seed % alphabet.len() as u64) as usize]
                })
                .collect();
            let _ = parse(&text);
        }
        let deep = "a {".repeat(10_000);
        let script = parse(&deep);
        assert_eq!(script.statements.len(), 1);
        let long = "sh 'x'\n".repeat(50_000);
        assert!(parse(&long).statements.len() <= MAX_TOKENS);
    }
}
