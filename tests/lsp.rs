//! Language server tests: they drive the real `because lsp` as an editor would, with JSON-RPC
//! messages framed by `Content-Length` over its stdin and stdout.
//!
//! Replies are awaited with a generous timeout that only guards against a deadlock; no test
//! measures how fast the server is (figures are in `docs/PERFORMANCE.md`).

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// Long enough for the slowest machine to answer; only a deadlock waits this long.
const DEADLOCK_GUARD: Duration = Duration::from_secs(120);

/// An editor's side of the connection.
struct Client {
    child: Child,
    stdin: ChildStdin,
    incoming: Receiver<Value>,
    next_id: i64,
    /// Messages read while waiting for another one.
    pending: Vec<Value>,
}

impl Client {
    fn start() -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_because"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start because lsp");
        let stdin = child.stdin.take().unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let (tx, incoming) = channel();
        std::thread::spawn(move || {
            while let Some(message) = read_message(&mut stdout) {
                if tx.send(message).is_err() {
                    break;
                }
            }
        });
        let mut client = Client { child, stdin, incoming, next_id: 1, pending: Vec::new() };
        let reply = client.request("initialize", json!({ "processId": null, "capabilities": {}, "rootUri": null }));
        let caps = &reply["result"]["capabilities"];
        for cap in ["hoverProvider", "definitionProvider", "referencesProvider", "completionProvider", "renameProvider"]
        {
            assert!(!caps[cap].is_null(), "{cap} is announced: {caps}");
        }
        assert_eq!(caps["textDocumentSync"], 1, "full-text sync");
        client.notify("initialized", json!({}));
        client
    }

    fn send(&mut self, message: &Value) {
        let body = message.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Sends a request and waits for its response (the whole message).
    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        self.wait_for(|m| m["id"] == id && m.get("method").is_none())
    }

    /// The first message (already read or still to come) that `wanted` accepts.
    fn wait_for(&mut self, wanted: impl Fn(&Value) -> bool) -> Value {
        if let Some(i) = self.pending.iter().position(&wanted) {
            return self.pending.remove(i);
        }
        let deadline = Instant::now() + DEADLOCK_GUARD;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.incoming.recv_timeout(left) {
                Ok(m) if wanted(&m) => return m,
                Ok(m) => self.pending.push(m),
                Err(RecvTimeoutError::Timeout) => panic!("no such message within the deadlock guard"),
                Err(RecvTimeoutError::Disconnected) => panic!("the server closed its output"),
            }
        }
    }

    /// The next diagnostics published for `uri`.
    fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        let m = self.wait_for(|m| m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri);
        m["params"]["diagnostics"].as_array().cloned().unwrap_or_default()
    }

    fn open(&mut self, uri: &str, text: &str) {
        let doc = json!({ "uri": uri, "languageId": "because", "version": 1, "text": text });
        self.notify("textDocument/didOpen", json!({ "textDocument": doc }));
    }

    /// `shutdown` then `exit`: the server must answer and then end with success.
    fn shut_down(mut self) {
        let reply = self.request("shutdown", Value::Null);
        assert!(reply.get("error").is_none(), "{reply}");
        self.notify("exit", Value::Null);
        let deadline = Instant::now() + DEADLOCK_GUARD;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(status.success(), "exit status {status}");
                return;
            }
            assert!(Instant::now() < deadline, "the server did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

fn read_message(r: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(n) = line.strip_prefix("Content-Length: ") {
            length = n.parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    r.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

/// The `file://` URI of an absolute path (the test paths need no escapes beyond spaces).
fn uri(path: &Path) -> String {
    format!("file://{}", path.display().to_string().replace(' ', "%20"))
}

/// A line and UTF-16 column, computed here independently of the server. An offset inside a
/// character (a data file's invalid byte shown as U+FFFD) counts from the character's start.
fn position(text: &str, offset: usize) -> Value {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line = text[..offset].matches('\n').count();
    let character = text[line_start..offset].encode_utf16().count();
    json!({ "line": line, "character": character })
}

fn range(text: &str, start: usize, end: usize) -> Value {
    json!({ "start": position(text, start), "end": position(text, end) })
}

/// The position of the `nth` occurrence of `needle`, plus `shift` bytes.
fn at(text: &str, needle: &str, nth: usize, shift: usize) -> Value {
    let offset = text.match_indices(needle).nth(nth).unwrap_or_else(|| panic!("`{needle}` #{nth}")).0;
    position(text, offset + shift)
}

/// The example copied to a temporary folder (rename and edits must not touch the sources).
fn example() -> (tempfile::TempDir, PathBuf, String) {
    let dir = tempfile::tempdir().unwrap();
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/lsp");
    for name in ["main.kb", "notes.txt"] {
        std::fs::copy(data.join(name), dir.path().join(name)).unwrap();
    }
    let path = dir.path().join("main.kb");
    let text = std::fs::read_to_string(&path).unwrap();
    (dir, path, text)
}

fn text_document(uri: &str, position: Value) -> Value {
    json!({ "textDocument": { "uri": uri }, "position": position })
}

#[test]
fn a_session_as_an_editor_drives_it() {
    let (_dir, path, text) = example();
    let uri = uri(&path);
    let mut client = Client::start();
    client.open(&uri, &text);

    // Diagnostics: the bad quote at its span (after non-ASCII text on its line), and the
    // singleton warning.
    let diags = client.diagnostics(&uri);
    let quote = diags.iter().find(|d| d["code"] == "check::quote_not_in_source").expect("the bad quote");
    let start = text.find("\"à Marseille\"").unwrap();
    assert_eq!(quote["range"], range(&text, start, start + "\"à Marseille\"".len()));
    assert_eq!(quote["severity"], 1);
    assert!(quote["message"].as_str().unwrap().starts_with("this quote is not in the document of source `notes`"));
    let singleton = diags.iter().find(|d| d["code"] == "check::singleton_variable").expect("the singleton");
    assert_eq!(singleton["severity"], 2);
    assert_eq!(diags.len(), 2, "{diags:?}");

    // Hover: a predicate's rules and their prose, an entity's kind and label, a source's
    // title and document, a fact's citations.
    let hover = |client: &mut Client, needle: &str, nth: usize| {
        let reply = client.request("textDocument/hover", text_document(&uri, at(&text, needle, nth, 1)));
        reply["result"]["contents"]["value"].as_str().unwrap_or("").to_string()
    };
    let reach = hover(&mut client, "reach(X, Y), link", 0);
    assert!(reach.contains("**reach/2**: predicate") && reach.contains("2 rules"), "{reach}");
    assert!(reach.contains("[onward] main.kb:15: And what those reach."), "{reach}");
    let paris = hover(&mut client, "paris", 0);
    assert!(paris.starts_with("**paris**: city “Paris, où l’on boit”"), "{paris:?}");
    let notes = hover(&mut client, "notes \"Le", 0);
    assert!(notes.contains("source “Café notes”") && notes.contains("document: `notes.txt`"), "{notes}");
    let fact = hover(&mut client, "link(paris", 0);
    assert!(fact.contains("Cited:\n- `notes` (Café notes): “Le café 🙂 relie Paris à Lyon”"), "{fact}");

    // Go to definition: from the query to both rules of `reach`.
    let reply = client.request("textDocument/definition", text_document(&uri, at(&text, "reach(paris", 0, 1)));
    let lines: Vec<u64> =
        reply["result"].as_array().unwrap().iter().map(|l| l["range"]["start"]["line"].as_u64().unwrap()).collect();
    assert_eq!(lines, [12, 14]);
    assert_eq!(reply["result"][0]["uri"], uri);
    // And from an entity to its declaration.
    let reply = client.request("textDocument/definition", text_document(&uri, at(&text, "paris, lyon", 0, 0)));
    assert_eq!(reply["result"][0]["range"]["start"], at(&text, "paris \"", 0, 0));

    // References of `lyon`: the declaration, two facts.
    let mut params = text_document(&uri, at(&text, "lyon, nice", 0, 0));
    params["context"] = json!({ "includeDeclaration": true });
    let reply = client.request("textDocument/references", params);
    assert_eq!(reply["result"].as_array().unwrap().len(), 3, "{reply}");

    // Completion after `re` in the query: the predicate, with its argument names.
    let reply = client.request("textDocument/completion", text_document(&uri, at(&text, "reach(paris", 0, 2)));
    let items = reply["result"]["items"].as_array().unwrap();
    let reach_item = items.iter().find(|i| i["label"] == "reach").expect("reach is completed");
    assert_eq!(reach_item["detail"], "reach(X, Y)");
    assert!(items.iter().all(|i| i["label"].as_str().unwrap().starts_with("re")), "{items:?}");
    // After `cite`: the sources.
    let reply = client.request("textDocument/completion", text_document(&uri, at(&text, "cite notes", 0, 5)));
    let labels: Vec<&str> =
        reply["result"]["items"].as_array().unwrap().iter().map(|i| i["label"].as_str().unwrap()).collect();
    assert_eq!(labels, ["notes"]);
    // A keyword, from the grammar's list.
    let reply = client.request("textDocument/completion", text_document(&uri, at(&text, "city.", 0, 0)));
    let labels: Vec<&str> =
        reply["result"]["items"].as_array().unwrap().iter().map(|i| i["label"].as_str().unwrap()).collect();
    assert!(labels.contains(&"kind") && labels.contains(&"include"), "{labels:?}");
    // The built-in functions and text tests, from the library's list.
    assert!(labels.contains(&"substr") && labels.contains(&"add_days") && labels.contains(&"contains"), "{labels:?}");
    // Inside the string of a `file`: the files beside the document.
    let reply = client.request("textDocument/completion", text_document(&uri, at(&text, "notes.txt", 0, 0)));
    let labels: Vec<&str> =
        reply["result"]["items"].as_array().unwrap().iter().map(|i| i["label"].as_str().unwrap()).collect();
    assert_eq!(labels, ["main.kb", "notes.txt"]);

    // Rename the entity `paris` everywhere, its declaration included.
    let mut params = text_document(&uri, at(&text, "paris, lyon", 0, 2));
    params["newName"] = json!("paname");
    let reply = client.request("textDocument/rename", params);
    let edits = reply["result"]["changes"][&uri].as_array().unwrap();
    let mut starts: Vec<Value> = edits.iter().map(|e| e["range"]["start"].clone()).collect();
    starts.sort_by_key(|p| (p["line"].as_u64(), p["character"].as_u64()));
    let expected: Vec<Value> = text.match_indices("paris").map(|(i, _)| position(&text, i)).collect();
    assert_eq!(starts, expected);
    assert!(edits.iter().all(|e| e["newText"] == "paname"));
    // A keyword cannot be a name.
    let mut params = text_document(&uri, at(&text, "paris, lyon", 0, 2));
    params["newName"] = json!("cite");
    assert!(client.request("textDocument/rename", params).get("error").is_some());

    // While the file has errors its queries say so on their lines.
    let reply = client.request("textDocument/codeLens", json!({ "textDocument": { "uri": uri } }));
    let titles: Vec<&str> =
        reply["result"].as_array().unwrap().iter().map(|l| l["command"]["title"].as_str().unwrap()).collect();
    assert_eq!(titles.len(), 2);
    assert!(titles.iter().all(|t| t.starts_with("not answered: error[check::quote_not_in_source]")), "{titles:?}");
    // Renaming starts from the name under the cursor.
    let reply = client.request("textDocument/prepareRename", text_document(&uri, at(&text, "[onward]", 0, 3)));
    assert_eq!(reply["result"]["placeholder"], "onward");

    // Fix the quote: only the warning stays, and the queries are answered on their lines.
    let fixed = text.replace("\"à Marseille\"", "\"Lyon mène à Nice\"");
    let change = json!({
        "textDocument": { "uri": uri, "version": 2 },
        "contentChanges": [{ "text": fixed }],
    });
    client.notify("textDocument/didChange", change);
    let diags = client.diagnostics(&uri);
    assert_eq!(diags.len(), 1, "{diags:?}");
    let reply = client.request("textDocument/codeLens", json!({ "textDocument": { "uri": uri } }));
    let lenses = reply["result"].as_array().unwrap();
    assert_eq!(lenses.len(), 2, "{lenses:?}");
    assert_eq!(lenses[0]["command"]["title"], "2 answers: Y = lyon; Y = nice");
    assert_eq!(lenses[0]["range"]["start"]["line"], 18);
    let proof = lenses[1]["command"]["title"].as_str().unwrap();
    assert!(proof.starts_with("proof: reach(paris, nice)  ⟸ [onward] reach/2 #2"), "{proof}");
    // The lens's command shows the whole proof.
    let arguments = lenses[1]["command"]["arguments"].clone();
    let reply =
        client.request("workspace/executeCommand", json!({ "command": "because.showAnswer", "arguments": arguments }));
    let shown = reply["result"].as_str().unwrap();
    assert!(shown.contains("link(lyon, nice)  fact"), "{shown}");
    // Hover on the query line shows it too.
    let answer = client.request("textDocument/hover", text_document(&uri, at(&fixed, "?- reach", 0, 0)));
    assert!(answer["result"]["contents"]["value"].as_str().unwrap().contains("lyon\nnice"), "{answer}");

    // Document symbols: the source, the kind, entities, predicates with their rules, queries.
    let reply = client.request("textDocument/documentSymbol", json!({ "textDocument": { "uri": uri } }));
    let names: Vec<&str> = reply["result"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "notes",
            "city",
            "paris",
            "lyon",
            "link/2",
            "reach/2",
            "lonely/1",
            "?- reach(paris, Y).",
            "?- why reach(paris, nice)."
        ]
    );

    client.shut_down();
}

/// What is compared of a diagnostic: its code, message and range.
type Compared = (String, String, Value);

/// `because check --format json` on one file: (code, message, range) of each diagnostic, by
/// the file it points into (one without a place belongs to the checked file).
fn check_diagnostics(path: &Path, text: &str) -> std::collections::BTreeMap<String, Vec<Compared>> {
    let out = Command::new(env!("CARGO_BIN_EXE_because"))
        .args(["check", "--format", "json"])
        .arg(path)
        .output()
        .expect("run because check");
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let shown = path.display().to_string();
    let mut by_file = std::collections::BTreeMap::new();
    for d in doc["diagnostics"].as_array().unwrap() {
        let (file, range) = match d["at"].as_object() {
            Some(at) => {
                let file = at["file"].as_str().unwrap().to_string();
                let other;
                let text = if file == shown {
                    text
                } else {
                    other = String::from_utf8_lossy(&std::fs::read(&file).unwrap()).into_owned();
                    &other
                };
                (file, range(text, at["start"].as_u64().unwrap() as usize, at["end"].as_u64().unwrap() as usize))
            }
            None => {
                (shown.clone(), json!({ "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 0 } }))
            }
        };
        let compared = (d["code"].as_str().unwrap().to_string(), d["message"].as_str().unwrap().to_string(), range);
        by_file.entry(file).or_insert_with(Vec::new).push(compared);
    }
    by_file.entry(shown).or_default();
    by_file
}

/// The server's diagnostics for `uri` as compared with `check`'s.
fn server_diagnostics(client: &mut Client, uri: &str) -> Vec<Compared> {
    client
        .diagnostics(uri)
        .iter()
        .map(|d| {
            // The server puts the label and help on lines after the message.
            let message = d["message"].as_str().unwrap().lines().next().unwrap_or("").to_string();
            (d["code"].as_str().unwrap().to_string(), message, d["range"].clone())
        })
        .collect()
}

#[test]
fn diagnostics_are_those_of_check_for_every_error_case() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/err");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| Some(e.ok()?.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "kb"))
        .collect();
    files.sort();
    assert!(files.len() > 30, "the error cases are found");
    let mut client = Client::start();
    let mut compared = 0;
    for path in &files {
        let bytes = std::fs::read(path).unwrap();
        let Ok(text) = String::from_utf8(bytes) else {
            // No editor can send text that is not UTF-8; `check` reports the file itself.
            let expected = check_diagnostics(path, "");
            assert_eq!(expected[&path.display().to_string()][0].0, "load::invalid_utf8", "{}", path.display());
            continue;
        };
        let uri = uri(path);
        client.open(&uri, &text);
        // Every file with diagnostics (a data file with a bad row, for one) gets the same as
        // `check` reports for it.
        let expected = check_diagnostics(path, &text);
        for (file, expected) in &expected {
            let got = server_diagnostics(&mut client, &self::uri(Path::new(file)));
            assert_eq!(&got, expected, "{} (in {file})", path.display());
        }
        // Closing clears them all.
        client.notify("textDocument/didClose", json!({ "textDocument": { "uri": uri } }));
        for file in expected.keys() {
            assert_eq!(server_diagnostics(&mut client, &self::uri(Path::new(file))), []);
        }
        compared += 1;
    }
    assert!(compared + 1 >= files.len());
    client.shut_down();
}

#[test]
fn included_files_get_diagnostics_and_renames() {
    // Invented names; nothing here is about the alliance.
    let dir = tempfile::tempdir().unwrap();
    let main = dir.path().join("main.kb");
    let rules = dir.path().join("rules.kb");
    let main_text = "include \"rules.kb\".\nedge(a, b).\n?- path(a, X).\n";
    let rules_text = "path(X, Y) :- edge(X, Y).\nlonely(X) :- edge(X, Unused).\n";
    std::fs::write(&main, main_text).unwrap();
    std::fs::write(&rules, rules_text).unwrap();
    let (main_uri, rules_uri) = (uri(&main), uri(&rules));
    let mut client = Client::start();
    client.open(&main_uri, main_text);
    // The included file's warning is published for it, though only main.kb is open.
    let included = client.diagnostics(&rules_uri);
    assert_eq!(included.len(), 1, "{included:?}");
    assert_eq!(included[0]["code"], "check::singleton_variable");
    assert_eq!(client.diagnostics(&main_uri), Vec::<Value>::new());

    // Definition of `path` from main.kb is in rules.kb.
    let reply = client.request("textDocument/definition", text_document(&main_uri, at(main_text, "path", 0, 1)));
    assert_eq!(reply["result"][0]["uri"], rules_uri.as_str());
    // Renaming `edge` changes both files.
    let mut params = text_document(&main_uri, at(main_text, "edge", 0, 1));
    params["newName"] = json!("link");
    let reply = client.request("textDocument/rename", params);
    let changes = &reply["result"]["changes"];
    assert_eq!(changes[&main_uri].as_array().unwrap().len(), 1, "{changes}");
    assert_eq!(changes[&rules_uri].as_array().unwrap().len(), 2, "{changes}");
    client.shut_down();
}
