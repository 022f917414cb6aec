//! Interactive changes to a knowledge base: assert, retract, save (used by the REPL).
//!
//! What a session adds is kept as ordinary modules whose source is named [`SESSION`], so the
//! checker, the evaluator and the explanations treat it like any file, and `:save` can write it
//! back out as `.kb` text. Retracting a fact of a loaded file adds a `retract FACT.` statement
//! to the session, which a load applies to everything before it ([`apply_retractions`]), so a
//! saved or reloaded session reproduces the retraction. Every change goes through the same
//! all-or-nothing staging as a load.

use std::fs::{self, File};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::ast::{Module, Statement};
use crate::diag::{Diagnostic, Diagnostics};
use crate::kb::{Error, KnowledgeBase, LoadReport};
use crate::source::Span;
use crate::syntax;
use crate::value::Value;

/// How diagnostics name text added interactively, and how session modules are recognised.
///
/// ```
/// use because::kb::{KnowledgeBase, SESSION};
///
/// let mut kb = KnowledgeBase::default();
/// let e = kb.assert_statements("p(a.").unwrap_err();
/// assert!(kb.render(&e.diagnostics, false, true).starts_with(SESSION));
/// ```
pub const SESSION: &str = "<session>";

/// What a successful retraction removed.
///
/// ```
/// # use because::kb::KnowledgeBase;
/// let mut kb = KnowledgeBase::default();
/// kb.load_str("p.kb", "p(a) @ 1990.\np(a) @ 2000.\np(b).\n", None)?;
/// let r = kb.retract("p(a).")?; // without `@`: every interval of the fact
/// assert_eq!(r.statements, ["p(a) @ 1990.", "p(a) @ 2000."]);
/// # Ok::<(), because::kb::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct Retracted {
    /// The removed statements, as they were written.
    pub statements: Vec<String>,
    /// Warnings from checking again without them.
    pub warnings: Diagnostics,
}

impl KnowledgeBase {
    /// Adds facts, rules and declarations typed in a session (`:assert`, `:rule`). All or
    /// nothing: a parse or check error, or a limit hit while evaluating, changes nothing.
    /// Queries are refused: they are asked, not asserted.
    ///
    /// ```
    /// # use because::kb::KnowledgeBase;
    /// let mut kb = KnowledgeBase::default();
    /// kb.load_str("p.kb", "p(a).\n", None)?;
    /// kb.assert_statements("p(b).\nq(X) :- p(X).")?;
    /// assert_eq!(kb.query("q(X)")?.len(), 2);
    /// assert!(kb.assert_statements("?- p(X).").is_err());
    /// # Ok::<(), because::kb::Error>(())
    /// ```
    pub fn assert_statements(&mut self, text: &str) -> Result<LoadReport, Error> {
        // A query would be answered once and then saved with the session: refuse it up front.
        let first_line = self.session_lines();
        let file = self.sources.add_from_line(SESSION.to_string(), None, Arc::from(text), first_line);
        let (module, _) = syntax::parse_module(file, text);
        if let Some(Statement::Query(q)) = module.statements.iter().find(|s| matches!(s, Statement::Query(_))) {
            return Err(Diagnostic::error("session::query_asserted", "a query cannot be asserted")
                .at(q.span)
                .label("a query")
                .help("type the query on its own line, without `:assert`")
                .into());
        }
        let base = std::env::current_dir().ok().map(|b| b.join(SESSION));
        self.stage(|loader| loader.load_text_from_line(SESSION, text, base, first_line))
    }

    /// The lines of session text so far: each entry (`:assert`, `:retract`) is numbered on from
    /// the last, as if the session were one file, so that `<session>:2:1` and `<session>:3:1`
    /// name two assertions.
    fn session_lines(&self) -> usize {
        (0..self.sources.len() as u32)
            .rev()
            .map(|i| self.sources.get(crate::source::FileId(i)))
            .find(|f| f.name == SESSION)
            .map_or(0, |f| f.last_line())
    }

    /// Removes the stated facts that match `fact_text` (`p(a, 1).`, `p(a) @ 1990..`), then
    /// checks and evaluates again; all or nothing. Without `@`, every interval of the fact is
    /// removed, as a query without `@` matches them all. Facts read from data files by `load`
    /// cannot be retracted one by one.
    ///
    /// ```
    /// # use because::kb::KnowledgeBase;
    /// let mut kb = KnowledgeBase::default();
    /// kb.load_str("p.kb", "p(a).\np(b).\nq(X) :- p(X).\n", None)?;
    /// kb.retract("p(b).")?;
    /// assert_eq!(kb.query("q(X)")?.len(), 1);
    /// assert_eq!(kb.retract("p(z).").unwrap_err().diagnostics.0[0].code, "session::no_such_fact");
    /// # Ok::<(), because::kb::Error>(())
    /// ```
    pub fn retract(&mut self, fact_text: &str) -> Result<Retracted, Error> {
        // 1. Parse the fact.
        let first_line = self.session_lines();
        let file = self.sources.add_from_line(SESSION.to_string(), None, Arc::from(fact_text), first_line);
        let (module, diags) = syntax::parse_module(file, fact_text);
        if diags.has_errors() {
            return Err(diags.into());
        }
        let whole = Span::new(file, 0, fact_text.trim_end().len());
        let statements: Vec<Statement> = syntax::statements(&module).map(|s| s.into_owned()).collect();
        let target = match statements.as_slice() {
            [Statement::Fact(f)] => f,
            [other] => {
                return Err(Diagnostic::error("session::not_a_fact", "only facts can be retracted")
                    .at(other.span())
                    .help("write a ground fact such as `p(a, 1).`; rules are removed by editing their file")
                    .into());
            }
            _ => {
                return Err(Diagnostic::error("session::not_a_fact", "retract one fact at a time")
                    .at(whole)
                    .help("write a single ground fact such as `p(a, 1).`")
                    .into());
            }
        };
        // 2. Find the matching statements in every module.
        let mut modules = self.modules.clone();
        let mut removed = Vec::new();
        let mut from_files = false;
        for module in &mut modules {
            let in_session = self.sources.get(module.file).name == SESSION;
            let text = module.text.clone();
            take_facts(&mut module.statements, &text, &mut |f| fact_matches(target, f), &mut |span| {
                removed.push(self.sources.snippet(span).to_string());
                from_files |= !in_session;
            });
        }
        // A fact of a loaded file stays retracted only if the session says so: the retraction
        // is kept as a `retract` statement, which `:save` writes and `:reload` applies again.
        if from_files {
            let retraction = crate::ast::Retraction { fact: target.clone(), span: target.span };
            modules.push(Module { file, statements: vec![Statement::Retract(retraction)], text: module.text.clone() });
        }
        if removed.is_empty() {
            return Err(Diagnostic::error("session::no_such_fact", "no stated fact matches this")
                .at(target.span)
                .help("facts read by `load ... from` and derived facts cannot be retracted; see `:facts`")
                .into());
        }
        // 3. Check and evaluate without them; commit only if that succeeds.
        let report = self.restage(modules)?;
        Ok(Retracted { statements: removed, warnings: report.warnings })
    }

    /// Everything asserted in this session and still present, and a `retract` for each fact of
    /// a loaded file retracted, as `.kb` text that loads back over the same files.
    ///
    /// ```
    /// # use because::kb::KnowledgeBase;
    /// let mut kb = KnowledgeBase::default();
    /// kb.load_str("p.kb", "p(a).\n", None)?;
    /// assert!(!kb.has_session_statements());
    /// kb.assert_statements("%% Also b.\np(b).")?;
    /// assert_eq!(kb.session_text(), "%% Also b.\np(b).\n");
    /// # Ok::<(), because::kb::Error>(())
    /// ```
    pub fn session_text(&self) -> String {
        let mut out = String::new();
        for module in self.modules.iter().filter(|m| self.sources.get(m.file).name == SESSION) {
            for stmt in syntax::statements(module) {
                let stmt = &*stmt;
                let doc = match stmt {
                    Statement::Fact(f) => f.doc.as_deref(),
                    Statement::Rule(r) => r.doc.as_deref(),
                    Statement::Entity(e) => e.doc.as_deref(),
                    _ => None,
                };
                if let Statement::Retract(r) = stmt {
                    out.push_str(&format!("retract {}", self.sources.snippet(r.fact.span).trim()));
                    if !out.ends_with('.') {
                        out.push('.');
                    }
                    out.push('\n');
                    continue;
                }
                let text = self.sources.snippet(stmt.span()).trim();
                if let Some(doc) = doc.filter(|_| !text.starts_with("%%")) {
                    for line in doc.lines() {
                        out.push_str(format!("%% {line}").trim_end());
                        out.push('\n');
                    }
                }
                out.push_str(text);
                if !text.ends_with('.') {
                    out.push('.');
                }
                out.push('\n');
            }
        }
        out
    }

    /// The `source` and `kind` declarations that the session's statements need and that the
    /// loaded files make, as `.kb` text: written at the top of a saved session, they let it be
    /// checked on its own. A document's path is made absolute, so it resolves from anywhere.
    ///
    /// ```
    /// # use because::kb::KnowledgeBase;
    /// let mut kb = KnowledgeBase::default();
    /// kb.load_str("base.kb", "source essay \"An essay\".\nkind treaty.\n", None)?;
    /// kb.assert_statements("treaty nato \"NATO\".\nsigned(nato) cite essay \"signed\".")?;
    /// assert_eq!(kb.session_declarations(), "source essay \"An essay\".\nkind treaty.\n");
    /// # Ok::<(), because::kb::Error>(())
    /// ```
    pub fn session_declarations(&self) -> String {
        let in_session = |m: &&Module| self.sources.get(m.file).name == SESSION;
        let session: Vec<&Statement> = self.modules.iter().filter(in_session).flat_map(|m| &m.statements).collect();
        let mut cited: Vec<&str> = Vec::new();
        let mut kinds: Vec<&str> = Vec::new();
        for stmt in &session {
            let cites = match stmt {
                Statement::Fact(f) => f.cites.as_slice(),
                Statement::Rule(r) => r.cites.as_slice(),
                Statement::Entity(e) => {
                    kinds.push(&e.kind.name);
                    e.cites.as_slice()
                }
                _ => &[],
            };
            cited.extend(cites.iter().map(|c| &*c.source.name));
        }
        let declared_in_session =
            |name: &str| session.iter().any(|s| matches!(s, Statement::Source(d) if &*d.name.name == name));
        let mut out = String::new();
        let mut written: Vec<&str> = Vec::new();
        for module in self.modules.iter().filter(|m| !in_session(m)) {
            for stmt in &module.statements {
                match stmt {
                    Statement::Source(d)
                        if cited.contains(&&*d.name.name)
                            && !declared_in_session(&d.name.name)
                            && !written.contains(&&*d.name.name) =>
                    {
                        written.push(&d.name.name);
                        out.push_str(&format!("source {} {}", d.name.name, crate::syntax::print::quote(&d.title)));
                        if let Some((file, _)) = &d.file {
                            let dir = self.sources.get(module.file).path.as_ref().and_then(|p| p.parent());
                            let path = dir.map_or_else(|| PathBuf::from(file), |d| d.join(file));
                            let path = fs::canonicalize(&path).unwrap_or(path);
                            out.push_str(&format!(" file {}", crate::syntax::print::quote(&path.to_string_lossy())));
                        }
                        out.push_str(".\n");
                    }
                    Statement::Kind(k) if kinds.contains(&&*k.name.name) && !written.contains(&&*k.name.name) => {
                        written.push(&k.name.name);
                        out.push_str(&format!("kind {}.\n", k.name.name));
                    }
                    _ => {}
                }
            }
        }
        out
    }

    /// Whether anything asserted in this session is still present.
    ///
    /// ```
    /// # use because::kb::KnowledgeBase;
    /// let mut kb = KnowledgeBase::default();
    /// kb.assert_statements("p(a).")?;
    /// assert!(kb.has_session_statements());
    /// kb.retract("p(a).")?;
    /// assert!(!kb.has_session_statements());
    /// # Ok::<(), because::kb::Error>(())
    /// ```
    pub fn has_session_statements(&self) -> bool {
        self.modules.iter().any(|m| self.sources.get(m.file).name == SESSION && !m.statements.is_empty())
    }

    /// Loads the same files again from disk and applies the session again: what it asserted,
    /// and its retractions of the files' facts. All or nothing.
    ///
    /// ```
    /// # use because::kb::KnowledgeBase;
    /// let dir = tempfile::tempdir().unwrap();
    /// let file = dir.path().join("p.kb");
    /// std::fs::write(&file, "p(a).\n").unwrap();
    /// let mut kb = KnowledgeBase::default();
    /// kb.load_file(&file)?;
    /// kb.assert_statements("p(s).")?;
    /// std::fs::write(&file, "p(a).\np(b).\n").unwrap();
    /// kb.reload_keeping_session()?;
    /// assert_eq!(kb.query("p(X)")?.len(), 3);
    /// # Ok::<(), because::kb::Error>(())
    /// ```
    pub fn reload_keeping_session(&mut self) -> Result<LoadReport, Error> {
        let session = self.session_text();
        let mut fresh = KnowledgeBase::new(self.limits.clone());
        fresh.runtime = self.runtime.clone();
        fresh.embedded = self.embedded;
        fresh.unsaved = self.unsaved.clone();
        // The fresh knowledge base adds to the same source map, so that its diagnostics can be
        // rendered whichever state survives.
        fresh.sources = std::mem::take(&mut self.sources);
        let mut warnings = Diagnostics::default();
        let mut staged = Ok(());
        for p in &self.paths {
            match fresh.load_file(p) {
                Ok(r) => warnings.extend(r.warnings),
                Err(e) => {
                    staged = Err(e);
                    break;
                }
            }
        }
        if staged.is_ok() && !session.is_empty() {
            staged = fresh.assert_statements(&session).map(|r| warnings.extend(r.warnings));
        }
        if let Err(e) = staged {
            self.sources = std::mem::take(&mut fresh.sources);
            return Err(e);
        }
        let n = fresh.program.queries.len();
        *self = fresh;
        Ok(LoadReport { warnings, queries: n..n, ..Default::default() })
    }

    /// Forgets everything, session and files alike, then loads `paths` (the files a session
    /// started with). All or nothing.
    ///
    /// ```
    /// # use because::kb::KnowledgeBase;
    /// let mut kb = KnowledgeBase::default();
    /// kb.assert_statements("p(a).")?;
    /// kb.reset_to(&[])?;
    /// assert!(kb.query("p(X)").is_err(), "`p` is gone");
    /// # Ok::<(), because::kb::Error>(())
    /// ```
    pub fn reset_to(&mut self, paths: &[PathBuf]) -> Result<(), Error> {
        let mut fresh = KnowledgeBase::new(self.limits.clone());
        fresh.runtime = self.runtime.clone();
        fresh.embedded = self.embedded;
        fresh.unsaved = self.unsaved.clone();
        fresh.sources = std::mem::take(&mut self.sources);
        for p in paths {
            if let Err(e) = fresh.load_file(p) {
                self.sources = std::mem::take(&mut fresh.sources);
                return Err(e);
            }
        }
        *self = fresh;
        Ok(())
    }

    /// The files loaded by path, in order (for `:reload` and `:sources`); text loaded with
    /// `load_str` is not among them.
    ///
    /// ```
    /// # use because::kb::KnowledgeBase;
    /// let mut kb = KnowledgeBase::default();
    /// kb.load_str("p.kb", "p(a).\n", None)?;
    /// assert!(kb.loaded_paths().is_empty());
    /// # Ok::<(), because::kb::Error>(())
    /// ```
    pub fn loaded_paths(&self) -> &[PathBuf] {
        &self.paths
    }

    /// Replaces the modules and checks and evaluates them again; on failure nothing changes.
    fn restage(&mut self, modules: Vec<Module>) -> Result<LoadReport, Error> {
        let old = std::mem::replace(&mut self.modules, modules);
        // Staging with nothing new re-checks and re-evaluates the modules in place.
        match self.stage(|_| {}) {
            Ok(report) => Ok(report),
            Err(e) => {
                self.modules = old;
                Err(e)
            }
        }
    }

    /// Writes `text` to `path` atomically: a temporary file in the same directory, flushed to
    /// disk, then renamed over the target. On any failure the old file is left as it was.
    /// A symlink is followed (the file it names is replaced, the link stays); the file's
    /// permissions are kept; a target that exists but is not a regular file (a device, a
    /// FIFO, a directory) is refused. A file with several hard links is rewritten in place,
    /// which keeps the links but is not atomic. Temporary files that a killed save left
    /// beside the target are removed.
    ///
    /// ```
    /// # use because::kb::KnowledgeBase;
    /// let dir = tempfile::tempdir().unwrap();
    /// let path = dir.path().join("session.kb");
    /// let mut kb = KnowledgeBase::default();
    /// kb.assert_statements("p(a).")?;
    /// KnowledgeBase::save_atomically(&path, &kb.session_text()).unwrap();
    /// assert_eq!(std::fs::read_to_string(&path).unwrap(), "p(a).\n");
    /// # Ok::<(), because::kb::Error>(())
    /// ```
    pub fn save_atomically(path: &Path, text: &str) -> io::Result<()> {
        let resolved = resolve_symlinks(path)?;
        let path = resolved.as_path();
        let existing = match fs::metadata(path) {
            Ok(m) => Some(m),
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(e) => return Err(e),
        };
        if let Some(m) = &existing {
            if !m.is_file() {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("`{}` is not a regular file; not replacing it", path.display()),
                ));
            }
            #[cfg(unix)]
            if std::os::unix::fs::MetadataExt::nlink(m) > 1 {
                // Renaming would cut this name from the file's other links: rewrite in place.
                let mut file = File::options().write(true).truncate(true).open(path)?;
                return file.write_all(text.as_bytes()).and_then(|()| file.sync_all());
            }
        }
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = path
            .file_name()
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "the path names no file"))?
            .to_string_lossy()
            .into_owned();
        remove_stale_temporaries(&dir, &name);
        // 1. Create a fresh temporary file beside the target (never an existing one).
        let mut attempt = 0u32;
        let (tmp, mut file) = loop {
            let tmp = dir.join(format!(".{name}.{}.{attempt}.tmp", std::process::id()));
            match File::options().write(true).create_new(true).open(&tmp) {
                Ok(f) => break (tmp, f),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempt < 100 => attempt += 1,
                Err(e) => return Err(e),
            }
        };
        // 2. Write and flush it to disk (with the target's permissions), then 3. rename it
        // over the target.
        let permissions = existing.map(|m| m.permissions());
        let written = permissions
            .map_or(Ok(()), |p| file.set_permissions(p))
            .and_then(|()| file.write_all(text.as_bytes()))
            .and_then(|()| file.sync_all())
            .and_then(|()| {
                drop(file);
                fs::rename(&tmp, path)
            });
        if let Err(e) = written {
            let _ = fs::remove_file(&tmp);
            return Err(e);
        }
        // 4. Make the rename itself durable (best effort: not every platform can open a directory).
        if let Ok(d) = File::open(&dir) {
            let _ = d.sync_all();
        }
        Ok(())
    }
}

/// Whether the stated fact `f` is one that `target` retracts: the same predicate and
/// arguments, and the same interval unless `target` has none.
pub(crate) fn fact_matches(target: &crate::ast::Fact, f: &crate::ast::Fact) -> bool {
    f.atom.pred.name == target.atom.pred.name
        && f.atom.args.len() == target.atom.args.len()
        && f.atom.args.iter().zip(&target.atom.args).all(|(a, b)| const_of(a) == const_of(b))
        && (target.time.is_none() || f.time.map(|t| t.0) == target.time.map(|t| t.0))
}

/// Takes the stated facts that `hit` matches out of `statements` of a module whose text is
/// `text` (a run of plain facts loses those of its facts, and goes when none is left), calling
/// `taken` with the span of each; how many it took.
fn take_facts(
    statements: &mut Vec<Statement>,
    text: &str,
    hit: &mut dyn FnMut(&crate::ast::Fact) -> bool,
    taken: &mut dyn FnMut(Span),
) -> usize {
    let mut n = 0;
    statements.retain_mut(|s| match s {
        Statement::Fact(f) if hit(f) => {
            taken(f.span);
            n += 1;
            false
        }
        Statement::PlainFacts(run) => {
            let (mut kept, mut end) = (Vec::with_capacity(run.facts.len()), 0);
            for (f, &entry) in syntax::plain_facts(text, run).zip(&run.facts) {
                if hit(&f) {
                    taken(f.span);
                    n += 1;
                } else {
                    kept.push(entry);
                    end = f.span.end;
                }
            }
            if kept.len() < run.facts.len() {
                run.facts = kept;
                run.end = end;
            }
            !run.facts.is_empty()
        }
        _ => true,
    });
    n
}

/// Applies the `retract` statements of `modules[first_new..]`: each removes the stated facts
/// it matches from everything loaded before it (earlier modules, earlier statements of its
/// own). One that matches nothing is a warning: the file it was saved from may have changed.
/// The earlier modules are read once per module of retractions, each fact matched against
/// the retractions of its predicate (a fact goes to the first that matches it), so a file of
/// many retractions costs one pass over what was loaded, not one per retraction.
pub(crate) fn apply_retractions(modules: &mut [Module], first_new: usize, diags: &mut Diagnostics) {
    for mi in first_new..modules.len() {
        let targets: Vec<crate::ast::Retraction> = modules[mi]
            .statements
            .iter()
            .filter_map(|s| if let Statement::Retract(r) = s { Some(r.clone()) } else { None })
            .collect();
        if targets.is_empty() {
            continue;
        }
        let mut removed = vec![0usize; targets.len()];
        let mut by_pred: rustc_hash::FxHashMap<(&str, usize), Vec<usize>> = Default::default();
        for (k, r) in targets.iter().enumerate() {
            by_pred.entry((&r.fact.atom.pred.name, r.fact.atom.args.len())).or_default().push(k);
        }
        let mut hit = |f: &crate::ast::Fact| {
            let Some(ks) = by_pred.get(&(&*f.atom.pred.name, f.atom.args.len())) else { return false };
            match ks.iter().find(|&&k| fact_matches(&targets[k].fact, f)) {
                Some(&k) => {
                    removed[k] += 1;
                    true
                }
                None => false,
            }
        };
        for module in &mut modules[..mi] {
            let text = module.text.clone();
            take_facts(&mut module.statements, &text, &mut hit, &mut |_| {});
        }
        // Its own module's statements before each retraction: a retraction moves up by those
        // that go.
        let (mut si, mut k) = (0, 0);
        while si < modules[mi].statements.len() {
            let Statement::Retract(r) = &modules[mi].statements[si] else {
                si += 1;
                continue;
            };
            let r = r.clone();
            let own = &mut modules[mi];
            let mut before: Vec<Statement> = own.statements.drain(..si).collect();
            removed[k] += take_facts(&mut before, &own.text, &mut |f| fact_matches(&r.fact, f), &mut |_| {});
            si = before.len();
            own.statements.splice(0..0, before);
            if removed[k] == 0 {
                diags.push(
                    Diagnostic::warning("session::no_such_fact", "`retract` matches no stated fact loaded before it")
                        .at(r.span)
                        .help("it retracts facts of the files loaded before it; see `:facts`"),
                );
            }
            si += 1;
            k += 1;
        }
    }
}

/// `path` with its symlinks followed, also a dangling one (whose file a save creates).
fn resolve_symlinks(path: &Path) -> io::Result<PathBuf> {
    let mut path = path.to_path_buf();
    for _ in 0..40 {
        match fs::symlink_metadata(&path) {
            Ok(m) if m.file_type().is_symlink() => {
                let target = fs::read_link(&path)?;
                path = match path.parent() {
                    Some(dir) if target.is_relative() => dir.join(target),
                    _ => target,
                };
            }
            _ => return Ok(path),
        }
    }
    Err(io::Error::new(io::ErrorKind::InvalidInput, "too many levels of symbolic links"))
}

/// Removes `.{name}.{pid}.{n}.tmp` files in `dir` that a save killed midway left behind: those
/// of processes that no longer run (where that can be known: Linux's `/proc`), else those
/// older than a day. Best effort: a file that cannot be removed stays.
fn remove_stale_temporaries(dir: &Path, name: &str) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    let prefix = format!(".{name}.");
    let proc = Path::new("/proc/self").exists();
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(rest) = file_name.to_str().and_then(|f| f.strip_prefix(&prefix)?.strip_suffix(".tmp")) else {
            continue;
        };
        let Some(Ok(pid)) = rest.split_once('.').map(|(pid, _)| pid.parse::<u32>()) else { continue };
        if pid == std::process::id() {
            continue;
        }
        let stale = if proc {
            !Path::new("/proc").join(pid.to_string()).exists()
        } else {
            entry
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|t| t.elapsed().is_ok_and(|age| age > std::time::Duration::from_secs(86_400)))
        };
        if stale {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// The constant an argument of a fact holds.
fn const_of(e: &crate::ast::Expr) -> Option<&Value> {
    match e {
        crate::ast::Expr::Const(v, _) => Some(v),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::Limits;

    fn kb() -> KnowledgeBase {
        let mut kb = KnowledgeBase::new(Limits::default());
        kb.load_str(
            "base.kb",
            "edge(a, b).\nedge(b, c).\npath(X, Y) :- edge(X, Y).\npath(X, Z) :- path(X, Y), edge(Y, Z).\n",
            None,
        )
        .unwrap();
        kb
    }

    fn count(kb: &mut KnowledgeBase, q: &str) -> usize {
        kb.query(q).unwrap().rows.len()
    }

    #[test]
    fn assert_then_retract_then_save() {
        let mut kb = kb();
        assert_eq!(count(&mut kb, "path(X, Y)"), 3);
        kb.assert_statements("edge(c, d).").unwrap();
        assert_eq!(count(&mut kb, "path(X, Y)"), 6);
        kb.assert_statements("%% Reachable both ways.\n[sym] link(X, Y) :- path(X, Y).").unwrap();
        assert_eq!(count(&mut kb, "link(a, d)"), 1);
        assert_eq!(kb.session_text(), "edge(c, d).\n%% Reachable both ways.\n[sym] link(X, Y) :- path(X, Y).\n");
        let r = kb.retract("edge(c, d).").unwrap();
        assert_eq!(r.statements, vec!["edge(c, d)."]);
        assert_eq!(count(&mut kb, "path(X, Y)"), 3);
        // Facts of files can be retracted too; the saved text keeps that as a `retract`.
        kb.retract("edge(a, b).").unwrap();
        assert_eq!(count(&mut kb, "path(X, Y)"), 1);
        assert_eq!(
            kb.session_text(),
            "%% Reachable both ways.\n[sym] link(X, Y) :- path(X, Y).\nretract edge(a, b).\n"
        );
        // The saved text loads back over the same files to the same state.
        let mut other = self::kb();
        other.assert_statements(&kb.session_text()).unwrap();
        assert_eq!(count(&mut other, "link(X, Y)"), 1);
        assert_eq!(count(&mut other, "edge(X, Y)"), 1);
    }

    /// Plain facts are kept as runs (`ast::PlainFacts`) and read again from the text: a
    /// retraction in the middle of a run keeps the facts around it, an error in a run's fact
    /// points at its line and column, and a proof names the fact's line.
    #[test]
    fn plain_facts_in_a_run_keep_their_places() {
        let mut kb = KnowledgeBase::new(Limits::default());
        kb.load_str("f.kb", "e(a, b).\ne(b, c).  e(c, d).\nr(X) :- e(X, _).\n", None).unwrap();
        assert!(matches!(kb.modules()[0].statements[0], Statement::PlainFacts(_)));
        kb.retract("e(b, c).").unwrap();
        assert_eq!(count(&mut kb, "r(X)"), 2);
        assert_eq!(kb.modules()[0].n_statements(), 3);
        let proof = kb.why("e(c, d)").unwrap().render(crate::output::Format::Table, false);
        assert!(proof.contains("e(c, d)  fact (f.kb:2)"), "{proof}");
        let mut kb = KnowledgeBase::new(Limits::default());
        let e = kb.load_str("g.kb", "pred q(t: time).\nq(1990).\nq(1991). q(x).\n", None).unwrap_err();
        let shown = kb.render(&e.diagnostics, false, true);
        assert!(shown.starts_with("g.kb:3:12: error[check::type_mismatch]"), "{shown}");
    }

    #[test]
    fn failures_change_nothing() {
        let mut kb = kb();
        let bad = kb.assert_statements("edge(c, d).\nedge(d, e.").unwrap_err();
        assert_eq!(bad.diagnostics.0[0].code, "parse::unexpected");
        let unsafe_rule = kb.assert_statements("q(X, Y) :- edge(X, _).").unwrap_err();
        assert_eq!(unsafe_rule.diagnostics.0[0].code, "check::unsafe_variable");
        let query = kb.assert_statements("?- edge(X, Y).").unwrap_err();
        assert_eq!(query.diagnostics.0[0].code, "session::query_asserted");
        assert_eq!(kb.retract("edge(x, y).").unwrap_err().diagnostics.0[0].code, "session::no_such_fact");
        assert_eq!(kb.retract("path(X, Y) :- edge(X, Y).").unwrap_err().diagnostics.0[0].code, "session::not_a_fact");
        assert_eq!(count(&mut kb, "path(X, Y)"), 3);
        assert_eq!(kb.session_text(), "");
    }

    #[test]
    fn retractions_survive_a_reload_and_apply_only_to_what_came_before() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f.kb");
        fs::write(&file, "p(a).\np(b).\n").unwrap();
        let mut kb = KnowledgeBase::new(Limits::default());
        kb.load_file(&file).unwrap();
        kb.retract("p(a).").unwrap();
        kb.reload_keeping_session().unwrap();
        assert_eq!(count(&mut kb, "p(X)"), 1, "the retraction is applied again");
        // Asserted again after the retraction, the fact is back, and stays back on reload.
        kb.assert_statements("p(a).").unwrap();
        kb.reload_keeping_session().unwrap();
        assert_eq!(count(&mut kb, "p(X)"), 2);
        // In a file, `retract` removes what was loaded before it and warns when nothing matches.
        let report = kb.load_str("r.kb", "retract p(b).\np(b).\nretract p(z).\n", None).unwrap();
        assert_eq!(count(&mut kb, "p(X)"), 2);
        assert_eq!(report.warnings.0.iter().map(|d| d.code).collect::<Vec<_>>(), ["session::no_such_fact"]);
    }

    #[test]
    fn a_file_of_retractions_takes_each_fact_once_and_warns_for_those_left_with_none() {
        let mut kb = KnowledgeBase::new(Limits::default());
        let facts: String = (0..50).map(|i| format!("e({i}, {}).\nt(x{i}) @ {}.\n", i + 1, 1990 + i)).collect();
        kb.load_str("base.kb", &facts, None).unwrap();
        // `e(3, 4)` twice: the second matches nothing left. `t(x5)` without a time takes it at
        // its time, so `t(x5) @ 1995` after it matches nothing; `t(x6) @ 1990` never matched.
        // `e(60, 61)` is stated after its retraction in the same file, so it stays.
        let retractions = "retract e(3, 4).\nretract e(7, 8).\nretract e(3, 4).\nretract t(x5).\n\
                           retract t(x5) @ 1995.\nretract t(x6) @ 1990.\nretract e(60, 61).\ne(60, 61).\n";
        let report = kb.load_str("r.kb", retractions, None).unwrap();
        let line = |span: Span| kb.sources().get(span.file).line_col(span.start).0;
        let warned: Vec<usize> = report.warnings.0.iter().filter_map(|d| d.span.map(line)).collect();
        assert_eq!(warned, [3, 5, 6, 7]);
        assert_eq!(count(&mut kb, "e(X, Y)"), 49);
        assert_eq!(count(&mut kb, "t(X)"), 49);
        assert_eq!(count(&mut kb, "e(60, 61)"), 1);
    }

    #[test]
    fn retract_by_interval() {
        let mut kb = KnowledgeBase::new(Limits::default());
        kb.load_str("t.kb", "p(a) @ 1990.\np(a) @ 2000..2010.\np(b).\n", None).unwrap();
        kb.retract("p(a) @ 2000..2010.").unwrap();
        assert_eq!(count(&mut kb, "p(X)"), 2);
        let r = kb.retract("p(a).").unwrap();
        assert_eq!(r.statements.len(), 1);
        assert_eq!(count(&mut kb, "p(X)"), 1);
    }

    #[test]
    fn reload_reads_files_again_and_keeps_the_session() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f.kb");
        fs::write(&file, "p(a).\n").unwrap();
        let mut kb = KnowledgeBase::new(Limits::default());
        kb.load_file(&file).unwrap();
        kb.assert_statements("p(s).").unwrap();
        fs::write(&file, "p(a).\np(b).\n").unwrap();
        kb.reload_keeping_session().unwrap();
        assert_eq!(count(&mut kb, "p(X)"), 3);
        // A broken file: the reload fails and nothing changes.
        fs::write(&file, "p(a.\n").unwrap();
        let e = kb.reload_keeping_session().unwrap_err();
        assert!(kb.render(&e.diagnostics, false, false).contains("f.kb:1:4"));
        assert_eq!(count(&mut kb, "p(X)"), 3);
        kb.reset_to(&[]).unwrap();
        assert!(kb.query("p(X)").is_err());
    }

    #[test]
    fn save_replaces_atomically() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.kb");
        KnowledgeBase::save_atomically(&path, "p(a).\n").unwrap();
        KnowledgeBase::save_atomically(&path, "p(b).\n").unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "p(b).\n");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1, "no temporary file is left behind");
        let missing = dir.path().join("no/such/dir/s.kb");
        assert!(KnowledgeBase::save_atomically(&missing, "x").is_err());
    }
}
