//! `because lsp`: a language server for `.kb` files over stdin/stdout, a front end beside the
//! command line and the REPL.
//!
//! One thread reads messages, handles them in order and answers; there is no async runtime
//! (`lsp-server` does the framing on its own I/O threads). Each open document has an analysis:
//! the diagnostics of the same check `because check` runs (through
//! [`KnowledgeBase::check_files`], with every open document's unsaved text in place of its
//! file), and an index of its parsed files for hover, definitions, references, completion,
//! symbols and rename (`index.rs`, built on a second thread while the check runs;
//! `features.rs`). Queries are evaluated only when a client asks for their code lenses or
//! hovers on them.
//!
//! Every diagnostic the library reports reaches the editor through one conversion, so a new
//! diagnostic code needs nothing here. While edits arrive faster than a check takes, only the
//! latest text is checked: analysis waits until no message is queued (or a request needs it).

mod features;
mod index;
mod text;

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, Notification as _, PublishDiagnostics,
    ShowMessage,
};
use lsp_types::request::{
    CodeLensRequest, Completion, DocumentSymbolRequest, ExecuteCommand, GotoDefinition, HoverRequest,
    PrepareRenameRequest, References, Rename, Request as _,
};
use lsp_types::{
    CodeLensOptions, CompletionOptions, DiagnosticRelatedInformation, DiagnosticSeverity, ExecuteCommandOptions,
    Location, MessageType, NumberOrString, OneOf, PublishDiagnosticsParams, RenameOptions, ServerCapabilities,
    ServerInfo, ShowMessageParams, TextDocumentSyncCapability, TextDocumentSyncKind, Uri,
};
use serde::de::DeserializeOwned;
use serde_json::Value as Json;

use crate::ast::QueryKind;
use crate::diag::{Diagnostic, Severity};
use crate::eval::Limits;
use crate::explain::WhyOptions;
use crate::kb::KnowledgeBase;
use crate::output::{Format, render_answers};
use crate::source::SourceMap;

use index::Index;
use text::{LineIndex, path_to_uri, uri_to_path};

/// The command a query's code lens runs: it shows the query's full answer.
pub const SHOW_ANSWER: &str = "because.showAnswer";

/// How long evaluating a document's queries may take before the server gives up on it (a
/// runaway program must not freeze the editor).
const EVAL_TIMEOUT: Duration = Duration::from_secs(10);

/// Serves one client on stdin/stdout until it sends `shutdown` and `exit`. An error is a
/// broken connection or a client that does not speak the protocol.
pub fn run() -> Result<(), String> {
    let (connection, io_threads) = Connection::stdio();
    let capabilities = ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
        hover_provider: Some(lsp_types::HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        document_symbol_provider: Some(OneOf::Left(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec!["\"".into(), "/".into(), "(".into(), " ".into()]),
            ..CompletionOptions::default()
        }),
        rename_provider: Some(OneOf::Right(RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: Default::default(),
        })),
        code_lens_provider: Some(CodeLensOptions { resolve_provider: Some(false) }),
        execute_command_provider: Some(ExecuteCommandOptions {
            commands: vec![SHOW_ANSWER.into()],
            work_done_progress_options: Default::default(),
        }),
        ..ServerCapabilities::default()
    };
    let init = serde_json::json!({
        "capabilities": capabilities,
        "serverInfo": ServerInfo { name: "because".into(), version: Some(env!("CARGO_PKG_VERSION").into()) },
    });
    let (id, _params) = connection.initialize_start().map_err(|e| e.to_string())?;
    connection.initialize_finish(id, init).map_err(|e| e.to_string())?;
    let mut server = Server { connection, docs: HashMap::new() };
    let result = server.main_loop();
    // The connection must be dropped before joining: its sender keeps the writer thread alive.
    drop(server);
    io_threads.join().map_err(|e| e.to_string())?;
    result
}

struct Server {
    connection: Connection,
    /// Open documents by path.
    docs: HashMap<PathBuf, Doc>,
}

/// An open document and what is known about its current text.
struct Doc {
    uri: Uri,
    text: Arc<str>,
    version: i32,
    /// `None` while the text changed since the last analysis.
    index: Option<Index>,
    /// The files this document's last analysis published diagnostics for.
    published: Vec<PathBuf>,
    /// The answers to its queries, for the version they were computed for.
    replies: Option<(i32, Vec<features::QueryReply>)>,
}

impl Server {
    fn main_loop(&mut self) -> Result<(), String> {
        while let Ok(message) = self.connection.receiver.recv() {
            match message {
                Message::Request(req) => {
                    if self.connection.handle_shutdown(&req).map_err(|e| e.to_string())? {
                        return Ok(());
                    }
                    let id = req.id.clone();
                    // A bug in one feature must not take the editor's other features down: the
                    // request fails (the panic message goes to stderr, the client's log).
                    let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| self.request(req)));
                    let response = match outcome {
                        Ok(Ok(result)) => Response::new_ok(id, result),
                        Ok(Err((code, message))) => Response::new_err(id, code as i32, message),
                        Err(_) => Response::new_err(id, ErrorCode::InternalError as i32, "internal error".into()),
                    };
                    self.send(response.into());
                }
                Message::Notification(note) => {
                    let _ = std::panic::catch_unwind(AssertUnwindSafe(|| self.notification(note)));
                }
                Message::Response(_) => {}
            }
            // Edits queued behind this one would make its check stale at once.
            if self.connection.receiver.is_empty() {
                self.analyze_stale();
            }
        }
        Ok(())
    }

    fn send(&self, message: Message) {
        // A closed channel means the client is gone; the loop ends on the next receive.
        let _ = self.connection.sender.send(message);
    }

    fn notify<N: lsp_types::notification::Notification>(&self, params: N::Params) {
        self.send(Notification::new(N::METHOD.to_string(), params).into());
    }

    fn notification(&mut self, note: Notification) {
        match note.method.as_str() {
            DidOpenTextDocument::METHOD => {
                let Ok(p) = parse::<lsp_types::DidOpenTextDocumentParams>(note.params) else { return };
                let Some(path) = uri_to_path(&p.text_document.uri) else { return };
                let doc = Doc {
                    uri: p.text_document.uri,
                    text: p.text_document.text.into(),
                    version: p.text_document.version,
                    index: None,
                    published: Vec::new(),
                    replies: None,
                };
                self.docs.insert(path.clone(), doc);
                self.changed(&path);
            }
            DidChangeTextDocument::METHOD => {
                let Ok(p) = parse::<lsp_types::DidChangeTextDocumentParams>(note.params) else { return };
                let Some(path) = uri_to_path(&p.text_document.uri) else { return };
                // Full-text sync: the last change holds the whole text.
                let Some(change) = p.content_changes.into_iter().last() else { return };
                if let Some(doc) = self.docs.get_mut(&path) {
                    doc.text = change.text.into();
                    doc.version = p.text_document.version;
                }
                self.changed(&path);
            }
            DidCloseTextDocument::METHOD => {
                let Ok(p) = parse::<lsp_types::DidCloseTextDocumentParams>(note.params) else { return };
                let Some(path) = uri_to_path(&p.text_document.uri) else { return };
                if let Some(doc) = self.docs.remove(&path) {
                    for file in doc.published {
                        self.publish(&file, Vec::new());
                    }
                }
                self.changed(&path);
            }
            _ => {}
        }
    }

    /// Marks stale every open document that is `path` or reads it.
    fn changed(&mut self, path: &Path) {
        for (doc_path, doc) in &mut self.docs {
            let reads = doc.index.as_ref().is_none_or(|index| {
                (0..index.sources.len() as u32).any(|f| index.path(crate::source::FileId(f)) == path)
            });
            if doc_path == path || reads {
                drop_elsewhere((doc.index.take(), doc.replies.take()));
            }
        }
    }

    fn analyze_stale(&mut self) {
        let stale: Vec<PathBuf> = self.docs.iter().filter(|(_, d)| d.index.is_none()).map(|(p, _)| p.clone()).collect();
        for path in stale {
            self.analyze(&path);
        }
    }

    /// The unsaved texts of every open document, read in place of their files.
    fn unsaved(&self) -> Vec<(PathBuf, Arc<str>)> {
        self.docs.iter().map(|(p, d)| (p.clone(), d.text.clone())).collect()
    }

    /// Checks one document, publishes its diagnostics and indexes it. The index is built on a
    /// second thread while the check runs (both parse the files), the diagnostics go out as
    /// soon as the check ends, and large values are freed on another thread: on a 100k-fact
    /// file each of these steps takes a tenth of a second or more.
    fn analyze(&mut self, path: &Path) {
        let unsaved = self.unsaved();
        let index = std::thread::scope(|scope| {
            let indexing = scope.spawn(|| Index::build(path, &unsaved));
            let mut kb = KnowledgeBase::new(Limits::default());
            kb.set_unsaved(unsaved.clone());
            let diags = match kb.check_files(&[path]) {
                Ok(report) => report.warnings.0,
                Err(e) => e.diagnostics.0,
            };
            let mut by_file = diagnostics_by_file(&diags, kb.sources(), path);
            by_file.entry(path.to_path_buf()).or_default();
            drop_elsewhere((kb, diags));
            self.publish_all(path, by_file);
            // A panic while indexing leaves the document without an index; the next edit
            // tries again.
            indexing.join().ok()
        });
        if let Some(doc) = self.docs.get_mut(path) {
            drop_elsewhere(std::mem::replace(&mut doc.index, index));
        }
    }

    /// Publishes one analysis's diagnostics, file by file, and clears them from the files its
    /// previous analysis reported on and this one does not.
    fn publish_all(&mut self, path: &Path, by_file: HashMap<PathBuf, Vec<lsp_types::Diagnostic>>) {
        let old = self.docs.get(path).map(|d| d.published.clone()).unwrap_or_default();
        let mut published = Vec::new();
        for (file, list) in by_file {
            // An open file publishes its own diagnostics.
            if file != path && self.docs.contains_key(&file) {
                continue;
            }
            self.publish(&file, list);
            published.push(file);
        }
        for file in old.into_iter().filter(|f| !published.contains(f)) {
            self.publish(&file, Vec::new());
        }
        if let Some(doc) = self.docs.get_mut(path) {
            doc.published = published;
        }
    }

    fn publish(&self, file: &Path, diagnostics: Vec<lsp_types::Diagnostic>) {
        let Some(uri) = self.docs.get(file).map(|d| d.uri.clone()).or_else(|| path_to_uri(file)) else { return };
        let version = self.docs.get(file).map(|d| d.version);
        self.notify::<PublishDiagnostics>(PublishDiagnosticsParams { uri, diagnostics, version });
    }

    /// The document at `uri`, analysed.
    fn doc(&mut self, uri: &Uri) -> Result<(PathBuf, &Doc), (ErrorCode, String)> {
        let path = uri_to_path(uri).ok_or((ErrorCode::InvalidParams, format!("not a file: {}", uri.as_str())))?;
        if self.docs.get(&path).is_some_and(|d| d.index.is_none()) {
            self.analyze(&path);
        }
        match self.docs.get(&path) {
            Some(doc) => Ok((path, doc)),
            None => Err((ErrorCode::InvalidParams, format!("not open: {}", uri.as_str()))),
        }
    }

    /// The indexes of every open document, each analysed (for references and rename).
    fn all_indexes(&mut self) -> Vec<&Index> {
        self.analyze_stale();
        self.docs.values().filter_map(|d| d.index.as_ref()).collect()
    }

    fn request(&mut self, req: Request) -> Result<Json, (ErrorCode, String)> {
        let method = req.method.as_str();
        let json = |v: Result<Json, serde_json::Error>| v.map_err(|e| (ErrorCode::InternalError, e.to_string()));
        match method {
            HoverRequest::METHOD => {
                let p: lsp_types::HoverParams = parse(req.params)?;
                let pos = p.text_document_position_params;
                // Only a query's own hover evaluates the document.
                let (_, doc) = self.doc(&pos.text_document.uri)?;
                let on_query = doc.index.as_ref().is_some_and(|i| features::in_query(i, pos.position));
                let replies = if on_query { self.replies(&pos.text_document.uri)? } else { Vec::new() };
                let (_, doc) = self.doc(&pos.text_document.uri)?;
                let index = doc.index.as_ref().ok_or(not_analysed())?;
                json(serde_json::to_value(features::hover(index, pos.position, &replies)))
            }
            GotoDefinition::METHOD => {
                let p: lsp_types::GotoDefinitionParams = parse(req.params)?;
                let pos = p.text_document_position_params;
                let (_, doc) = self.doc(&pos.text_document.uri)?;
                let index = doc.index.as_ref().ok_or(not_analysed())?;
                let found = features::definition(index, pos.position);
                json(serde_json::to_value(found.map(lsp_types::GotoDefinitionResponse::Array)))
            }
            References::METHOD => {
                let p: lsp_types::ReferenceParams = parse(req.params)?;
                let pos = p.text_document_position;
                let (_, doc) = self.doc(&pos.text_document.uri)?;
                let index = doc.index.as_ref().ok_or(not_analysed())?;
                let Some(sym) = features::sym_at(index, pos.position) else { return Ok(Json::Null) };
                let with_decl = p.context.include_declaration;
                let found = features::references(&self.all_indexes(), &sym, with_decl);
                json(serde_json::to_value(found))
            }
            Completion::METHOD => {
                let p: lsp_types::CompletionParams = parse(req.params)?;
                let pos = p.text_document_position;
                let (path, doc) = self.doc(&pos.text_document.uri)?;
                let index = doc.index.as_ref().ok_or(not_analysed())?;
                json(serde_json::to_value(features::completion(index, &path, &doc.text, pos.position)))
            }
            DocumentSymbolRequest::METHOD => {
                let p: lsp_types::DocumentSymbolParams = parse(req.params)?;
                let (_, doc) = self.doc(&p.text_document.uri)?;
                let index = doc.index.as_ref().ok_or(not_analysed())?;
                json(serde_json::to_value(lsp_types::DocumentSymbolResponse::Nested(features::symbols(index))))
            }
            PrepareRenameRequest::METHOD => {
                let p: lsp_types::TextDocumentPositionParams = parse(req.params)?;
                let (_, doc) = self.doc(&p.text_document.uri)?;
                let index = doc.index.as_ref().ok_or(not_analysed())?;
                json(serde_json::to_value(features::prepare_rename(index, p.position)))
            }
            Rename::METHOD => {
                let p: lsp_types::RenameParams = parse(req.params)?;
                let pos = p.text_document_position;
                let (_, doc) = self.doc(&pos.text_document.uri)?;
                let index = doc.index.as_ref().ok_or(not_analysed())?;
                let Some(sym) = features::sym_at(index, pos.position) else {
                    return Err((ErrorCode::InvalidParams, "nothing to rename here".into()));
                };
                features::valid_new_name(&sym, &p.new_name).map_err(|m| (ErrorCode::InvalidParams, m))?;
                let edit = features::rename(&self.all_indexes(), &sym, &p.new_name);
                json(serde_json::to_value(edit))
            }
            CodeLensRequest::METHOD => {
                let p: lsp_types::CodeLensParams = parse(req.params)?;
                let uri = p.text_document.uri;
                let replies = self.replies(&uri)?;
                let (_, doc) = self.doc(&uri)?;
                json(serde_json::to_value(features::code_lenses(&uri, &doc.text, &replies)))
            }
            ExecuteCommand::METHOD => {
                let p: lsp_types::ExecuteCommandParams = parse(req.params)?;
                if p.command != SHOW_ANSWER {
                    return Err((ErrorCode::InvalidParams, format!("unknown command `{}`", p.command)));
                }
                let (uri, line) = features::show_answer_args(&p.arguments)
                    .ok_or((ErrorCode::InvalidParams, "expected the arguments [uri, line]".to_string()))?;
                let replies = self.replies(&uri)?;
                let (_, doc) = self.doc(&uri)?;
                let lines = LineIndex::new(&doc.text);
                let reply = replies.iter().find(|r| lines.position(&doc.text, r.start).line == line);
                let text = reply.map_or_else(|| "no query on this line".to_string(), |r| r.text.clone());
                self.notify::<ShowMessage>(ShowMessageParams { typ: MessageType::INFO, message: text.clone() });
                Ok(Json::String(text))
            }
            _ => Err((ErrorCode::MethodNotFound, format!("`{method}` is not supported"))),
        }
    }

    /// The answers to the queries of the document at `uri`, evaluated once per version.
    fn replies(&mut self, uri: &Uri) -> Result<Vec<features::QueryReply>, (ErrorCode, String)> {
        let (path, doc) = self.doc(uri)?;
        if let Some((version, replies)) = &doc.replies {
            if *version == doc.version {
                return Ok(replies.clone());
            }
        }
        let version = doc.version;
        let replies = match answer_queries(&path, self.unsaved()) {
            Ok(replies) => replies,
            // Every query of the document says why it has no answer.
            Err((summary, text)) => {
                let index = self.docs.get(&path).and_then(|d| d.index.as_ref());
                index.map_or_else(Vec::new, |i| features::unanswered(i, &format!("not answered: {summary}"), &text))
            }
        };
        if let Some(doc) = self.docs.get_mut(&path) {
            doc.replies = Some((version, replies.clone()));
        }
        Ok(replies)
    }
}

/// Frees a value on a thread of its own (a checked 100k-fact program takes about 0.1 s to free).
fn drop_elsewhere<T: Send + 'static>(value: T) {
    // Where no thread can be had, the value is dropped here instead.
    let _ = std::thread::Builder::new().spawn(move || drop(value));
}

fn not_analysed() -> (ErrorCode, String) {
    (ErrorCode::InternalError, "the document could not be analysed".into())
}

fn parse<P: DeserializeOwned>(params: Json) -> Result<P, (ErrorCode, String)> {
    serde_json::from_value(params).map_err(|e| (ErrorCode::InvalidParams, e.to_string()))
}

/// Loads the document (evaluating it) and answers each of its own queries: answers for a
/// select, the proof for `why`, the failing premises for `why not`. A failed load gives its
/// first error and all its diagnostics as text.
fn answer_queries(
    path: &Path,
    unsaved: Vec<(PathBuf, Arc<str>)>,
) -> Result<Vec<features::QueryReply>, (String, String)> {
    let mut kb = KnowledgeBase::new(Limits { timeout: Some(EVAL_TIMEOUT), ..Limits::default() });
    kb.set_unsaved(unsaved);
    let report = kb.load_file(path).map_err(|e| failed(&kb, &e))?;
    let mut replies = Vec::new();
    for i in report.queries {
        let q = kb.queries()[i].clone();
        if kb.sources().get(q.span.file).path.as_deref() != Some(path) {
            continue;
        }
        let (summary, text) = match q.kind {
            QueryKind::Select => match kb.answer(&q) {
                Ok(a) => (features::summarize_answers(&a), render_answers(&a, Format::Table)),
                Err(e) => failed(&kb, &e),
            },
            QueryKind::Why | QueryKind::WhyNot => match kb.explain(&q, &WhyOptions::default()) {
                Ok(e) => {
                    let text = e.render(Format::Table, false);
                    let first = text.lines().next().unwrap_or("").to_string();
                    let summary = match (q.kind, e.found()) {
                        (QueryKind::Why, true) => format!("proof: {first}"),
                        (QueryKind::Why, false) => "no proof: it does not hold".to_string(),
                        _ => first,
                    };
                    (summary, text)
                }
                Err(e) => failed(&kb, &e),
            },
        };
        replies.push(features::QueryReply { start: q.span.start as usize, end: q.span.end as usize, summary, text });
    }
    Ok(replies)
}

fn failed(kb: &KnowledgeBase, e: &crate::kb::Error) -> (String, String) {
    let first = e.diagnostics.0.first().map_or_else(String::new, |d| format!("error[{}]: {}", d.code, d.message));
    (first, kb.render(&e.diagnostics, false, true))
}

/// The library's diagnostics as the protocol's, grouped by the file they point into. One
/// without a place is put at the start of the document that was checked.
fn diagnostics_by_file(
    diags: &[Diagnostic],
    sources: &SourceMap,
    root: &Path,
) -> HashMap<PathBuf, Vec<lsp_types::Diagnostic>> {
    let mut lines: HashMap<u32, LineIndex> = HashMap::new();
    let mut place = |span: crate::source::Span| {
        let file = sources.get(span.file);
        let index = lines.entry(span.file.0).or_insert_with(|| LineIndex::new(&file.text));
        let path = file.path.clone().unwrap_or_else(|| PathBuf::from(&file.name));
        (path, index.range(&file.text, span.start as usize, span.end as usize))
    };
    let mut out: HashMap<PathBuf, Vec<lsp_types::Diagnostic>> = HashMap::new();
    for d in diags {
        let (path, range) = match d.span {
            Some(span) => place(span),
            None => (root.to_path_buf(), lsp_types::Range::default()),
        };
        let related = d
            .notes
            .iter()
            .filter_map(|(span, note)| {
                let (path, range) = place(*span);
                Some(DiagnosticRelatedInformation {
                    location: Location { uri: path_to_uri(&path)?, range },
                    message: note.clone(),
                })
            })
            .collect::<Vec<_>>();
        out.entry(path).or_default().push(lsp_types::Diagnostic {
            range,
            severity: Some(match d.severity {
                Severity::Error => DiagnosticSeverity::ERROR,
                Severity::Warning => DiagnosticSeverity::WARNING,
            }),
            code: Some(NumberOrString::String(d.code.to_string())),
            source: Some("because".into()),
            message: lsp_message(d),
            related_information: (!related.is_empty()).then_some(related),
            ..lsp_types::Diagnostic::default()
        });
    }
    out
}

/// The message as `because check` prints it, then its label and help on lines of their own.
fn lsp_message(d: &Diagnostic) -> String {
    let mut message = d.message.clone();
    if let Some(label) = &d.label {
        message.push_str(&format!("\n{label}"));
    }
    if let Some(help) = &d.help {
        message.push_str(&format!("\nhelp: {help}"));
    }
    message
}
