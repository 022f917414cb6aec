//! Reading: `.kb` files with their `include`s, and the TSV/CSV data files of `load` statements.
//!
//! This is the library's only file input. Paths are relative to the file that names them. Files
//! can come from disk or from a table of embedded files (the shipped knowledge base), looked up
//! first. Nothing here changes a knowledge base: the caller gets modules and tables and decides.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::ast::{Module, Span, Statement};
use crate::check::RawTable;
use crate::diag::{Diagnostic, Diagnostics};
use crate::source::SourceMap;
use crate::syntax;
use crate::value::{Id, Interner, Value};

mod csv;

/// The largest file `include` or `load` reads: byte offsets in spans are 32-bit.
pub const MAX_FILE_BYTES: u64 = 1 << 30;

/// Everything `reader` yields, at most `cap` bytes: reading stops at the cap (one byte past it
/// tells that there is more), so `/dev/zero` or an endless pipe on stdin costs `cap` bytes, not
/// all the memory there is. More than `cap` bytes is `ErrorKind::FileTooLarge`.
///
/// ```
/// use std::io::{ErrorKind, Read};
/// let err = because::load::read_bounded(std::io::repeat(0), 1000).unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::FileTooLarge);
/// assert_eq!(because::load::read_bounded(&b"p(a)."[..], 1000).unwrap(), b"p(a).");
/// ```
pub fn read_bounded(reader: impl std::io::Read, cap: u64) -> std::io::Result<Vec<u8>> {
    read_sized(reader, cap, 0)
}

/// [`read_bounded`] into a buffer reserved for `size` bytes (a regular file's length), so that
/// a file read whole is not grown by doubling.
fn read_sized(reader: impl std::io::Read, cap: u64, size: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read as _;
    // One byte more than the file: reading to the end finds it there without growing.
    let mut bytes =
        Vec::with_capacity(usize::try_from(size.min(cap)).unwrap_or(0).saturating_add(usize::from(size > 0)));
    reader.take(cap.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > cap {
        return Err(std::io::Error::from(std::io::ErrorKind::FileTooLarge));
    }
    Ok(bytes)
}

/// A file from disk, at most [`MAX_FILE_BYTES`]. A regular file's size is known before
/// reading; anything else (`/dev/zero`, a FIFO) is read to at most one byte past the limit.
/// A directory is `ErrorKind::IsADirectory`.
pub fn read_path(path: &Path) -> std::io::Result<Vec<u8>> {
    let file = std::fs::File::open(path)?;
    let meta = file.metadata()?;
    if meta.is_dir() {
        return Err(std::io::Error::from(std::io::ErrorKind::IsADirectory));
    }
    if meta.is_file() && meta.len() > MAX_FILE_BYTES {
        return Err(std::io::Error::from(std::io::ErrorKind::FileTooLarge));
    }
    read_sized(file, MAX_FILE_BYTES, if meta.is_file() { meta.len() } else { 0 })
}

/// A step of following includes: read a file, or close the one read last.
enum Work {
    Enter(PathBuf, Option<Span>),
    Leave,
}

/// A file compiled into the binary: its virtual path and its text.
pub type Embedded = (&'static str, &'static str);

/// What one load produced: modules in order (a file, then the files it includes) and the data
/// tables their `load` statements read.
#[derive(Debug, Default)]
pub struct Loaded {
    pub modules: Vec<Module>,
    pub tables: Vec<RawTable>,
    /// Documents named by `source ... file "..."`, whitespace-normalised, by source name.
    pub documents: Vec<(Arc<str>, Option<String>, Span)>,
}

pub struct Loader<'a> {
    pub sources: &'a mut SourceMap,
    pub interner: &'a mut Interner,
    pub embedded: &'a [Embedded],
    /// Texts read instead of the files at these paths (an editor's unsaved buffers), looked up
    /// before the embedded files and the disk.
    pub unsaved: &'a [(PathBuf, Arc<str>)],
    /// Canonical paths already loaded (a file included twice is read once).
    pub seen: Vec<PathBuf>,
    pub diags: Diagnostics,
    pub out: Loaded,
    /// Polled between files and while parsing: set, loading stops with `load::cancelled`.
    pub cancel: Option<Arc<std::sync::atomic::AtomicBool>>,
}

impl<'a> Loader<'a> {
    pub fn new(sources: &'a mut SourceMap, interner: &'a mut Interner, embedded: &'a [Embedded]) -> Loader<'a> {
        Loader {
            sources,
            interner,
            embedded,
            unsaved: &[],
            seen: Vec::new(),
            diags: Diagnostics::default(),
            out: Loaded::default(),
            cancel: None,
        }
    }

    /// Loads a `.kb` file named by the user (no span to blame if it is missing).
    pub fn load_path(&mut self, path: &Path) {
        self.follow(vec![Work::Enter(path.to_path_buf(), None)]);
    }

    /// Whether the user asked to stop; reported once.
    fn cancelled(&mut self) -> bool {
        let stop = self.cancel.as_ref().is_some_and(|c| c.load(std::sync::atomic::Ordering::Relaxed));
        if stop && !self.diags.0.iter().any(|d| d.code == "load::cancelled") {
            self.diags.push(syntax::cancelled());
        }
        stop
    }

    /// How a path is shown: as the user named it, with `.` and `..` resolved lexically.
    fn display(path: &Path) -> String {
        normalize(path).display().to_string()
    }

    /// Loads text that is not a file (a REPL line, a string given to the library, stdin).
    pub fn load_text(&mut self, name: &str, text: &str, base: Option<PathBuf>) {
        let file = self.sources.add(name.to_string(), base, Arc::from(text));
        let includes = self.parse(file, &self.sources.get(file).text.clone());
        self.follow(includes.into_iter().rev().map(|(p, s)| Work::Enter(p, Some(s))).collect());
    }

    /// Loads text whose lines are numbered on from `first_line` (a REPL session's entries).
    pub fn load_text_from_line(&mut self, name: &str, text: &str, base: Option<PathBuf>, first_line: usize) {
        let file = self.sources.add_from_line(name.to_string(), base, Arc::from(text), first_line);
        let includes = self.parse(file, &self.sources.get(file).text.clone());
        self.follow(includes.into_iter().rev().map(|(p, s)| Work::Enter(p, Some(s))).collect());
    }

    fn read(&self, path: &Path) -> std::io::Result<Vec<u8>> {
        let key = normalize(path);
        if let Some((_, text)) = self.unsaved.iter().find(|(p, _)| normalize(p) == key) {
            return Ok(text.as_bytes().to_vec());
        }
        if let Some((_, text)) = self.embedded.iter().find(|(p, _)| normalize(Path::new(p)) == key) {
            return Ok(text.as_bytes().to_vec());
        }
        read_path(path)
    }

    /// A TSV data file on disk read a block at a time ([`stream_tsv`]), so that a large file is
    /// never held whole; with its first lines. `None` for any other file, and for one that
    /// cannot be read so: it is read whole, which reports what is wrong with it.
    fn stream_tsv(&mut self, path: &Path, header: bool) -> Option<(crate::check::RawTable, Vec<u8>)> {
        let key = normalize(path);
        let in_memory = self.unsaved.iter().any(|(p, _)| normalize(p) == key)
            || self.embedded.iter().any(|(p, _)| normalize(Path::new(p)) == key);
        if in_memory || csv_or_tsv(path) != Format::Tsv {
            return None;
        }
        let file = std::fs::File::open(path).ok()?;
        let meta = file.metadata().ok()?;
        // A file too large is refused by its size, before a byte of it is read.
        if !meta.is_file() || meta.len() > MAX_FILE_BYTES {
            return None;
        }
        stream_tsv(file, meta.len(), TSV_BLOCK, &Self::display(path), header, self.interner)
    }

    /// Follows includes depth first (a file, then each file it includes, in order) with an
    /// explicit work list rather than recursion: a chain of 10,000 includes must not overflow
    /// the main thread's stack.
    fn follow(&mut self, mut work: Vec<Work>) {
        // The files being read, innermost last, and the same set for an O(1) cycle test.
        let mut open: Vec<(PathBuf, String)> = Vec::new();
        let mut open_set: rustc_hash::FxHashSet<PathBuf> = rustc_hash::FxHashSet::default();
        let mut seen: rustc_hash::FxHashSet<PathBuf> = self.seen.iter().cloned().collect();
        while let Some(item) = work.pop() {
            if self.cancelled() {
                return;
            }
            let (path, blame) = match item {
                Work::Leave => {
                    if let Some((key, _)) = open.pop() {
                        open_set.remove(&key);
                    }
                    continue;
                }
                Work::Enter(path, blame) => (path, blame),
            };
            let key = std::fs::canonicalize(&path).unwrap_or_else(|_| normalize(&path));
            let shown = Self::display(&path);
            if open_set.contains(&key) {
                let chain: Vec<&str> = open.iter().map(|(_, s)| s.as_str()).chain([shown.as_str()]).collect();
                let mut d = Diagnostic::error(
                    "load::include_cycle",
                    format!("`{shown}` includes itself: {}", chain.join(" -> ")),
                );
                if let Some(span) = blame {
                    d = d.at(span).label("included again here");
                }
                self.diags.push(d.help("remove one of the includes"));
                continue;
            }
            if seen.contains(&key) {
                continue;
            }
            let bytes = match self.read(&path) {
                Ok(b) => b,
                Err(e) => {
                    self.diags.push(missing_file("load::missing_file", &path, &e, blame));
                    continue;
                }
            };
            let text = match decode(bytes, &shown, blame) {
                Ok(t) => t,
                Err(d) => {
                    self.diags.push(d);
                    continue;
                }
            };
            seen.insert(key.clone());
            self.seen.push(key.clone());
            let file = self.sources.add(shown.clone(), Some(path.clone()), Arc::from(text));
            open_set.insert(key.clone());
            open.push((key, shown));
            work.push(Work::Leave);
            let text = self.sources.get(file).text.clone();
            let includes = self.parse(file, &text);
            work.extend(includes.into_iter().rev().map(|(p, s)| Work::Enter(p, Some(s))));
        }
    }

    /// Parses one file, reads its data files and documents; the includes it names, in order.
    fn parse(&mut self, file: crate::ast::FileId, text: &Arc<str>) -> Vec<(PathBuf, Span)> {
        let (module, diags) = syntax::parse_module_cancellable(file, text, self.cancel.as_deref());
        self.diags.extend(diags);
        let base =
            self.sources.get(file).path.as_ref().and_then(|p| p.parent().map(Path::to_path_buf)).unwrap_or_default();
        let mut includes = Vec::new();
        for stmt in &module.statements {
            match stmt {
                Statement::Include(inc) if inc.theory => {
                    if let Some(path) = self.resolve_theory(&inc.path, &base, inc.path_span) {
                        includes.push((path, inc.path_span));
                    }
                }
                Statement::Include(inc) => includes.push((base.join(&inc.path), inc.path_span)),
                Statement::Load(load) => {
                    let path = base.join(&load.path);
                    // A TSV file on disk is read by blocks; anything else, or a file the block
                    // reader leaves (it reports nothing), is read whole.
                    let (mut table, head, format) = match self.stream_tsv(&path, load.header) {
                        Some((table, head)) => (table, head, Format::Tsv),
                        None => match self.read(&path) {
                            Ok(bytes) => {
                                let shown = Self::display(&path);
                                match read_table(&bytes, &shown, load.header, self.interner, csv_or_tsv(&path)) {
                                    Ok(table) => (table, bytes, csv_or_tsv(&path)),
                                    Err(err) => {
                                        let d = self.table_error(err, &shown, &bytes);
                                        self.diags.push(d);
                                        continue;
                                    }
                                }
                            }
                            Err(e) => {
                                self.diags.push(missing_file("load::missing_file", &path, &e, Some(load.path_span)));
                                continue;
                            }
                        },
                    };
                    if !load.header {
                        if let Some(d) = header_hint(&head, format, load) {
                            self.diags.push(d);
                        }
                    }
                    table.pred = load.pred.clone();
                    self.out.tables.push(table);
                }
                Statement::Source(src) => {
                    let doc = src.file.as_ref().map(|(f, span)| {
                        let path = base.join(f);
                        // Reported as what went wrong: missing, a directory, too large, not UTF-8.
                        let text = self
                            .read(&path)
                            .map_err(|e| missing_file("load::missing_file", &path, &e, Some(*span)))
                            .and_then(|b| decode(b, &Self::display(&path), Some(*span)));
                        match text {
                            Ok(text) => Some(normalize_ws(&text)),
                            Err(d) => {
                                self.diags.push(d);
                                None
                            }
                        }
                    });
                    if let Some(doc) = doc {
                        self.out.documents.push((src.name.name.clone(), doc, src.span));
                    }
                }
                _ => {}
            }
        }
        self.out.modules.push(module);
        includes
    }

    /// A bad data row as a diagnostic pointing into the data file.
    fn table_error(&mut self, err: TableError, name: &str, bytes: &[u8]) -> Diagnostic {
        let text = String::from_utf8_lossy(bytes);
        let file = self.sources.add(name.to_string(), None, Arc::from(text.as_ref()));
        let span = Span::new(file, err.offset, err.offset + err.len.max(1));
        let mut d = Diagnostic::error(err.code, err.message).at(span);
        if let Some(help) = err.help {
            d = d.help(help);
        }
        d
    }
}

impl Loader<'_> {
    /// Whether a file can be read: an unsaved text, an embedded file or a file on disk.
    fn exists(&self, path: &Path) -> bool {
        let key = normalize(path);
        self.unsaved.iter().any(|(p, _)| normalize(p) == key)
            || self.embedded.iter().any(|(p, _)| normalize(Path::new(p)) == key)
            || path.is_file()
    }

    /// The file of the theory `use NAME.` names in a file of the folder `base`. Looked up in this
    /// order, the first found wins:
    ///
    /// 1. `NAME.kb` beside the file that names it;
    /// 2. `theories/NAME.kb` in that folder, then in each folder above it, nearest first;
    /// 3. the shipped theories ([`THEORIES`]), embedded in the binary.
    ///
    /// A local file named like a shipped theory is read (the nearest name wins, as in step 2),
    /// with a `load::shadowed_theory` warning; a name found nowhere is `load::unknown_theory`,
    /// which lists the places searched.
    pub fn resolve_theory(&mut self, name: &str, base: &Path, span: Span) -> Option<PathBuf> {
        let file = format!("{name}.kb");
        let mut searched = vec![base.join(&file)];
        searched.extend(theory_folders(base).into_iter().map(|dir| dir.join(&file)));
        let local = searched.iter().find(|p| self.exists(p)).cloned();
        let shipped = THEORIES.iter().find(|(n, _)| *n == name).map(|(_, p)| PathBuf::from(p));
        match (local, shipped) {
            (Some(local), Some(_)) => {
                self.diags.push(
                    Diagnostic::warning(
                        "load::shadowed_theory",
                        format!("`use {name}.` reads `{}`, not the shipped theory `{name}`", Self::display(&local)),
                    )
                    .at(span)
                    .label("a local theory of a shipped theory's name")
                    .help("rename the local file to use the shipped theory, or keep it to use your own"),
                );
                Some(local)
            }
            (Some(path), None) | (None, Some(path)) => Some(path),
            (None, None) => {
                // Did you mean: the shipped theories and the theory files of the folders searched.
                let mut names: Vec<String> = THEORIES.iter().map(|(n, _)| n.to_string()).collect();
                for dir in searched.iter().skip(1).filter_map(|p| p.parent()) {
                    let Ok(entries) = std::fs::read_dir(dir) else { continue };
                    names.extend(entries.filter_map(|e| {
                        let path = e.ok()?.path();
                        (path.extension()? == "kb").then(|| path.file_stem()?.to_str().map(str::to_string))?
                    }));
                }
                let shown: Vec<String> = searched.iter().map(|p| format!("`{}`", Self::display(p))).collect();
                let shipped: Vec<&str> = THEORIES.iter().map(|(n, _)| *n).collect();
                let mut d = Diagnostic::error("load::unknown_theory", format!("there is no theory `{name}`"))
                    .at(span)
                    .label("unknown theory")
                    .note(
                        span,
                        format!(
                            "looked for {}, then among the shipped theories ({})",
                            shown.join(", "),
                            shipped.join(", ")
                        ),
                    );
                d = match crate::diag::closest(name, names.iter().map(String::as_str)) {
                    Some(best) => d.help(format!("did you mean `{best}`?")),
                    None => d.help(format!(
                        "put your theory in `{file}` beside this file or in a `theories/` folder, or include a file with `include \"file.kb\".`"
                    )),
                };
                self.diags.push(d);
                None
            }
        }
    }

    /// Points each data row error of the checker into its data file, read again (the checker
    /// does not keep the files' texts); a file that cannot be read again leaves the error on
    /// its `load` statement. Each file is added to the source map once.
    pub fn locate_fields(&mut self, errors: Vec<crate::check::RowError>) -> Vec<Diagnostic> {
        // Each data file named, and its id and text when it could be read again.
        type ReadAgain = Option<(crate::ast::FileId, Arc<str>)>;
        let mut files: Vec<(Arc<str>, ReadAgain)> = Vec::new();
        let mut out = Vec::with_capacity(errors.len());
        for e in errors {
            let at = match files.iter().position(|(f, _)| *f == e.file) {
                Some(i) => i,
                None => {
                    let path = Path::new(&*e.file);
                    let text = self.read(path).ok().map(|b| Arc::<str>::from(String::from_utf8_lossy(&b).as_ref()));
                    let added = text.map(|t| (self.sources.add(e.file.to_string(), None, t.clone()), t));
                    files.push((e.file.clone(), added));
                    files.len() - 1
                }
            };
            let span = files[at].1.as_ref().and_then(|(file, text)| {
                let (a, b) = field_span(text.as_bytes(), csv_or_tsv(Path::new(&*e.file)), e.line, e.field)?;
                Some(Span::new(*file, a, b.max(a + 1)))
            });
            out.push(e.diagnostic.at(span.unwrap_or(e.fallback)));
        }
        out
    }
}

/// The `theories/` folders a `use` in a file of the folder `base` searches, nearest first: in
/// `base` and each folder above it. A relative `base` stays relative while the folders are below
/// the current one (so diagnostics show the paths the user typed), then goes on as `..`.
fn theory_folders(base: &Path) -> Vec<PathBuf> {
    let base = normalize(base);
    let mut folders = Vec::new();
    let mut dir = base.clone();
    // Lexically up to the top of the path as written (`a/b`, `a`, ``; `/x/y`, `/x`, `/`).
    loop {
        folders.push(dir.join("theories"));
        if dir.as_os_str().is_empty() || dir.ends_with("..") || !dir.pop() {
            break;
        }
    }
    // A relative path's top is a folder below the root: go on up from it to the root.
    if base.is_relative() {
        let top = folders.last().and_then(|f| f.parent()).map(Path::to_path_buf).unwrap_or_default();
        let depth = std::path::absolute(if top.as_os_str().is_empty() { Path::new(".") } else { &top })
            .map(|abs| normalize(&abs).components().count().saturating_sub(1))
            .unwrap_or(0);
        let mut up = top;
        for _ in 0..depth {
            up.push("..");
            folders.push(up.join("theories"));
        }
    }
    folders
}

/// The byte range of field `field` (0-based) of the record that ends on line `line` (1-based)
/// of a data file, split as [`read_table`] splits it (a CSV field's range holds its quotes).
fn field_span(bytes: &[u8], format: Format, line: u32, field: usize) -> Option<(usize, usize)> {
    let start = if bytes.starts_with(&[0xef, 0xbb, 0xbf]) { 3 } else { 0 };
    match format {
        Format::Csv => {
            let mut records = csv::Records::new(bytes, start);
            while let Some(record) = records.next_record() {
                if record.last_line >= line {
                    return (field < records.len()).then(|| records.raw(field));
                }
            }
            None
        }
        Format::Tsv => {
            let line_start = if line <= 1 {
                start
            } else {
                start + memchr::memchr_iter(b'\n', &bytes[start..]).nth(line as usize - 2)? + 1
            };
            let end = memchr::memchr(b'\n', &bytes[line_start..]).map_or(bytes.len(), |i| line_start + i);
            let record = bytes[line_start..end].strip_suffix(b"\r").unwrap_or(&bytes[line_start..end]);
            let from = match field {
                0 => 0,
                _ => memchr::memchr_iter(b'\t', record).nth(field - 1)? + 1,
            };
            let to = memchr::memchr(b'\t', &record[from..]).map_or(record.len(), |i| from + i);
            Some((line_start + from, line_start + to))
        }
    }
}

/// A warning when the first line of a data file loaded without `with header` looks like a
/// header: no field of it is a number, while in some column where it has a name the second
/// line has a number (`name,age` above `ann,3`). Such a line would be loaded as a fact.
fn header_hint(bytes: &[u8], format: Format, load: &crate::ast::LoadDecl) -> Option<Diagnostic> {
    let start = if bytes.starts_with(&[0xef, 0xbb, 0xbf]) { 3 } else { 0 };
    let (first, second) = match format {
        Format::Tsv => {
            // Only the first two lines that are not empty are read (not the whole file).
            let mut lines = bytes[start..]
                .split(|&b| b == b'\n')
                .map(String::from_utf8_lossy)
                .filter(|l| !l.trim_end_matches('\r').is_empty());
            let mut split =
                || lines.next().map(|l| l.trim_end_matches('\r').split('\t').map(str::to_string).collect::<Vec<_>>());
            (split()?, split()?)
        }
        Format::Csv => {
            let mut records = csv::Records::new(bytes, start);
            let mut split = || {
                records.next_record()?;
                let _ = records.check();
                Some((0..records.len()).map(|i| records.value(i).unwrap_or_default().to_string()).collect::<Vec<_>>())
            };
            (split()?, split()?)
        }
    };
    let is_number = |f: &str| f.trim().parse::<f64>().is_ok();
    let named = |f: &str| f.trim().starts_with(|c: char| c.is_alphabetic());
    if first.len() != second.len() || first.iter().any(|f| is_number(f)) {
        return None;
    }
    let column = first.iter().zip(&second).position(|(a, b)| named(a) && is_number(b))?;
    Some(
        Diagnostic::warning(
            "load::header_row",
            format!("the first line of `{}` looks like a header: it is loaded as a fact", load.path),
        )
        .at(load.span)
        .label(format!("column {} is named `{}` but holds numbers", column + 1, first[column].trim()))
        .help(format!("to skip it, write `load {} from \"{}\" with header.`", load.pred.name, load.path)),
    )
}

fn missing_file(code: &'static str, path: &Path, e: &std::io::Error, blame: Option<Span>) -> Diagnostic {
    let reason = match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        std::io::ErrorKind::IsADirectory => "it is a directory".to_string(),
        std::io::ErrorKind::FileTooLarge => {
            return Diagnostic::error("load::too_large", format!("`{}` is larger than 1 GiB", path.display()))
                .help("split the data over several files; byte offsets in diagnostics are 32-bit")
                .at_opt(blame);
        }
        _ => e.to_string(),
    };
    let mut d = Diagnostic::error(code, format!("cannot read `{}`: {reason}", path.display()));
    if let Some(span) = blame {
        d = d.at(span).label("named here").help("paths are relative to the file that names them");
    }
    d
}

/// The shipped theories `use NAME.` names, and their embedded files (see `kb::ALLIANCE`).
pub const THEORIES: &[(&str, &str)] = &[("alliance_theory", "facts/alliance/theory.kb")];

/// Lexical normalisation of a path (`a/./b/../c` -> `a/c`), for embedded lookups and cycles.
pub(crate) fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::CurDir => {}
            // `..` removes a folder name; it stays at the start of a relative path (`../..`
            // is two folders up, not none) and above the root it is the root.
            std::path::Component::ParentDir => match out.components().next_back() {
                Some(std::path::Component::Normal(_)) => {
                    out.pop();
                }
                Some(std::path::Component::RootDir | std::path::Component::Prefix(_)) => {}
                _ => out.push(".."),
            },
            other => out.push(other),
        }
    }
    out
}

/// Bytes to text: invalid UTF-8 is a diagnostic with the byte offset; a byte-order mark is
/// dropped.
pub fn decode(bytes: Vec<u8>, name: &str, blame: Option<Span>) -> Result<String, Diagnostic> {
    match String::from_utf8(bytes) {
        Ok(text) if text.starts_with('\u{feff}') => Ok(text['\u{feff}'.len_utf8()..].to_string()),
        Ok(text) => Ok(text),
        Err(e) => {
            let offset = e.utf8_error().valid_up_to();
            let bytes = e.as_bytes();
            // Located as an editor shows it: the valid prefix gives the line and column.
            let before = std::str::from_utf8(&bytes[..offset]).unwrap_or_default();
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            let mut d = Diagnostic::error(
                "load::invalid_utf8",
                format!(
                    "`{name}` is not UTF-8 text: invalid byte 0x{:02x} at line {line}, column {column} (byte offset {offset})",
                    bytes[offset]
                ),
            )
            .help("save the file as UTF-8");
            if let Some(span) = blame {
                d = d.at(span);
            }
            Err(d)
        }
    }
}

/// Collapses every run of whitespace to one space, for verbatim-quote checks.
pub fn normalize_ws(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Tsv,
    Csv,
}

fn csv_or_tsv(path: &Path) -> Format {
    match path.extension().and_then(|e| e.to_str()) {
        Some(e) if e.eq_ignore_ascii_case("csv") => Format::Csv,
        _ => Format::Tsv,
    }
}

#[derive(Debug)]
pub struct TableError {
    pub code: &'static str,
    pub message: String,
    pub help: Option<String>,
    pub offset: usize,
    pub len: usize,
}

/// Reads a data file: one fact per line, fields separated by tabs (TSV, no header, as
/// Soufflé's `.facts`) or commas (CSV, fields optionally in double quotes with `""` for a
/// quote; a quoted field may span lines). Each field is an integer, a decimal, or text. Empty
/// lines are skipped; `header` skips the first line that is not empty.
///
/// CSV is split by `csv-core` (see `load/csv.rs`). TSV stays a `memchr` split on tabs with the
/// writer's escapes (`\t`, `\n`, `\r`, `\\`) undone by hand: the `csv` crates read no
/// backslash escapes but a quote's (`\"` inside quotes), and a TSV field has no quotes, so they
/// would add nothing but a state machine over each byte.
pub fn read_table(
    bytes: &[u8],
    name: &str,
    header: bool,
    interner: &mut Interner,
    format: Format,
) -> Result<RawTable, TableError> {
    // A byte-order mark is not data.
    let start = if bytes.starts_with(&[0xef, 0xbb, 0xbf]) { 3 } else { 0 };
    // A TSV file that is UTF-8 throughout (checked once, not line by line) takes the one-pass
    // reader; CSV, and a TSV file with a bad byte (reported at its line), the general one.
    if format == Format::Tsv {
        if let Ok(text) = std::str::from_utf8(&bytes[start..]) {
            let (mut data, lines, width) = read_tsv(text, start, name, header, interner)?;
            data.shrink_to_fit();
            return Ok(RawTable {
                pred: crate::ast::Ident { name: Arc::from(""), span: Span::default() },
                file: Arc::from(name),
                width,
                data: Arc::new(data),
                lines,
            });
        }
    }
    let (mut data, lines, width) = read_records(bytes, start, name, header, interner, format)?;
    data.shrink_to_fit();
    Ok(RawTable {
        pred: crate::ast::Ident { name: Arc::from(""), span: Span::default() },
        file: Arc::from(name),
        width,
        data: Arc::new(data),
        lines,
    })
}

/// [`read_table`] record by record: CSV (split by `csv-core`, see [`csv`]), and TSV that is not
/// valid UTF-8 throughout (the bad byte is reported at its line).
fn read_records(
    bytes: &[u8],
    start: usize,
    name: &str,
    header: bool,
    interner: &mut Interner,
    format: Format,
) -> Result<TableRows, TableError> {
    let mut rows = Rows { name, format, data: Vec::new(), lines: Default::default(), width: None };
    let mut header = header;
    match format {
        Format::Tsv => {
            let mut field_buf = String::new();
            let mut offset = start;
            let mut line_no = 0u32;
            while offset < bytes.len() {
                let end = memchr::memchr(b'\n', &bytes[offset..]).map_or(bytes.len(), |i| offset + i);
                let line_start = offset;
                let line = bytes[offset..end].strip_suffix(b"\r").unwrap_or(&bytes[offset..end]);
                offset = end + 1;
                line_no += 1;
                if line.is_empty() || std::mem::take(&mut header) {
                    continue;
                }
                let text = rows.utf8(line, line_start, line_no)?;
                // Tabs are ASCII, so every field boundary is a character boundary. The escapes
                // the TSV writer uses are undone, so output loads back.
                let mut n_fields = 0;
                for field in text.split('\t') {
                    let field = if field.contains('\\') { tsv_unescape(field, &mut field_buf) } else { field };
                    rows.data.push(intern_field(field, interner));
                    n_fields += 1;
                }
                rows.end_record(n_fields, line_start, line.len(), line_no)?;
            }
        }
        Format::Csv => {
            let mut records = csv::Records::new(bytes, start);
            while let Some(record) = records.next_record() {
                if std::mem::take(&mut header) {
                    continue;
                }
                rows.utf8(&bytes[record.start..record.end], record.start, record.last_line)?;
                records.check().map_err(|(at, what)| {
                    let line = record.first_line + memchr::memchr_iter(b'\n', &bytes[record.start..at]).count() as u32;
                    let (message, help) = match what {
                        csv::CsvError::Unterminated => (
                            format!("`{name}` line {line}: unterminated quoted field"),
                            "close the field with `\"`; write a quote inside a field as `\"\"`",
                        ),
                        csv::CsvError::AfterQuote => (
                            format!("`{name}` line {line}: text after the closing quote of a field"),
                            "quote the whole field (`\"a\"\"x\"` for a\"x) or end it at the quote",
                        ),
                    };
                    TableError { code: "load::bad_row", message, help: Some(help.into()), offset: at, len: 1 }
                })?;
                for i in 0..records.len() {
                    // The record is UTF-8, and so is each field: quoting is ASCII.
                    rows.data.push(intern_field(records.value(i).unwrap_or_default(), interner));
                }
                rows.end_record(records.len(), record.start, record.end - record.start, record.last_line)?;
            }
        }
    }
    let Rows { data, lines, width, .. } = rows;
    Ok((data, lines, width))
}

/// The rows of a table, flat, their line numbers, and the fields per line.
type TableRows = (Vec<Id>, crate::program::LineNumbers, Option<usize>);

/// [`read_table`] for a TSV file whose text (after any byte-order mark, `base` bytes) is valid
/// UTF-8: lines and fields split in one pass over the bytes, a field of digits (node numbers,
/// counts) read as its number on the way, with the general reader's rules (a `\r` before the
/// newline dropped, empty lines skipped, the writer's escapes undone).
fn read_tsv(
    text: &str,
    base: usize,
    name: &str,
    header: bool,
    interner: &mut Interner,
) -> Result<TableRows, TableError> {
    // Rows are at most the lines: reserved once the first row gives the width, so the table is
    // not grown by doubling.
    let n_lines = memchr::memchr_iter(b'\n', text.as_bytes()).count() + 1;
    let mut rows = TsvRows::new(interner, header, n_lines);
    rows.lines_of(text, base, name)?;
    Ok((rows.data, rows.lines, rows.width))
}

/// The bytes [`stream_tsv`] reads at a time.
const TSV_BLOCK: usize = 1 << 18;

/// [`read_table`] for a TSV file read from `reader` a block of about `block` bytes at a time
/// (`size`: the file's length, to reserve the table), rather than held whole: each block's
/// complete lines are read as [`read_tsv`] reads them, and the rest of a line waits for the
/// next block. Also the file's first lines, for [`header_hint`]. `None` when the file cannot
/// be read so: an I/O error, more than [`MAX_FILE_BYTES`], a byte that is not UTF-8, a line of
/// another width. The caller then reads it whole, which reports the problem where it is.
fn stream_tsv(
    mut reader: impl std::io::Read,
    size: u64,
    block: usize,
    name: &str,
    header: bool,
    interner: &mut Interner,
) -> Option<(crate::check::RawTable, Vec<u8>)> {
    use std::io::Read as _;
    let mut rows = TsvRows::new(interner, header, 0);
    let mut buf: Vec<u8> = Vec::with_capacity(block.max(4));
    let mut head = Vec::new();
    // The file offset of `buf[0]`.
    let mut offset = 0usize;
    loop {
        if buf.len() == buf.capacity() {
            // A line longer than the buffer: room for more of it.
            buf.reserve(buf.capacity());
        }
        let room = (buf.capacity() - buf.len()) as u64;
        let n = (&mut reader).take(room).read_to_end(&mut buf).ok()?;
        if (offset + buf.len()) as u64 > MAX_FILE_BYTES {
            return None;
        }
        let eof = n == 0;
        let end = match memchr::memrchr(b'\n', &buf) {
            _ if eof => buf.len(),
            Some(i) => i + 1,
            None => continue,
        };
        // A byte-order mark is not data.
        let skip = if offset == 0 && buf.starts_with(&[0xef, 0xbb, 0xbf]) { 3 } else { 0 };
        let text = std::str::from_utf8(&buf[skip..end]).ok()?;
        if offset == 0 {
            // Rows are at most the lines: the first block's lines per byte estimate them.
            let lines = memchr::memchr_iter(b'\n', text.as_bytes()).count() as u64 + 1;
            let estimate = if eof { lines } else { lines * size / end as u64 + lines / 64 };
            rows.n_lines = usize::try_from(estimate).unwrap_or(0);
        }
        if !two_lines(&head) {
            head.extend_from_slice(&buf[..end]);
        }
        rows.lines_of(text, offset + skip, name).ok()?;
        if eof {
            break;
        }
        buf.drain(..end);
        offset += end;
    }
    let TsvRows { mut data, lines, width, .. } = rows;
    data.shrink_to_fit();
    let table = crate::check::RawTable {
        pred: crate::ast::Ident { name: Arc::from(""), span: Span::default() },
        file: Arc::from(name),
        width,
        data: Arc::new(data),
        lines,
    };
    Some((table, head))
}

/// Whether `bytes` hold two lines that are not empty (all [`header_hint`] reads).
fn two_lines(bytes: &[u8]) -> bool {
    bytes.split(|&b| b == b'\n').filter(|l| !matches!(*l, b"" | b"\r")).nth(1).is_some()
}

/// What [`read_tsv`] has read so far.
struct TsvRows<'i> {
    interner: &'i mut Interner,
    data: Vec<Id>,
    lines: crate::program::LineNumbers,
    width: Option<usize>,
    field_buf: String,
    /// The lines expected, to reserve the table for once the first row gives the width.
    n_lines: usize,
    line_no: u32,
    /// Whether the header is still to be skipped.
    header: bool,
}

impl<'i> TsvRows<'i> {
    fn new(interner: &'i mut Interner, header: bool, n_lines: usize) -> TsvRows<'i> {
        TsvRows {
            interner,
            data: Vec::new(),
            lines: crate::program::LineNumbers::default(),
            width: None,
            field_buf: String::new(),
            n_lines,
            line_no: 0,
            header,
        }
    }

    /// Reads the lines of `text`, which starts `base` bytes into the file, after the lines
    /// read before it; all but the last end with a newline, and so does that one unless the
    /// file ends there.
    fn lines_of(&mut self, text: &str, base: usize, name: &str) -> Result<(), TableError> {
        let bytes = text.as_bytes();
        let mut line_start = 0;
        // The header is the first line that is not empty (a `\r` alone is empty).
        while self.header && line_start < bytes.len() {
            let end = memchr::memchr(b'\n', &bytes[line_start..]).map_or(bytes.len(), |i| line_start + i);
            let empty = matches!(&bytes[line_start..end], b"" | b"\r");
            self.line_no += 1;
            line_start = (end + 1).min(bytes.len());
            self.header = empty;
        }
        let (mut field_start, mut n_fields, mut number, mut digits) = (line_start, 0, 0u64, true);
        for (at, &c) in bytes.iter().enumerate().skip(line_start) {
            if c == b'\t' {
                // Tabs are ASCII, so every field boundary is a character boundary.
                self.field(text, field_start, at, number, digits);
                n_fields += 1;
            } else if c == b'\n' {
                self.end_line(text, line_start, field_start, n_fields, number, digits, at).map_err(|(n, w, end)| {
                    field_count_error(name, self.line_no, n, w, Format::Tsv, base + line_start, end - line_start)
                })?;
                line_start = at + 1;
                n_fields = 0;
            } else {
                let d = c.wrapping_sub(b'0');
                digits &= d <= 9;
                number = number.wrapping_mul(10).wrapping_add(u64::from(d));
                continue;
            }
            (field_start, number, digits) = (at + 1, 0, true);
        }
        if line_start < bytes.len() {
            self.end_line(text, line_start, field_start, n_fields, number, digits, bytes.len()).map_err(
                |(n, w, end)| {
                    field_count_error(name, self.line_no, n, w, Format::Tsv, base + line_start, end - line_start)
                },
            )?;
        }
        Ok(())
    }

    /// Appends the id of the field `text[from..to]`; `number` is its value and `digits` whether
    /// it is all digits, as the reader found on its way.
    #[inline(always)]
    fn field(&mut self, text: &str, from: usize, to: usize, number: u64, digits: bool) {
        let len = to - from;
        // `0`, or digits without a leading zero, short enough not to wrap.
        if digits && (1..=18).contains(&len) && (len == 1 || text.as_bytes()[from] != b'0') {
            if let Some(id) = crate::value::inline_id(number as i64) {
                self.data.push(id);
                return;
            }
        }
        let field = &text[from..to];
        let id = if field.contains('\\') {
            intern_field(tsv_unescape(field, &mut self.field_buf), self.interner)
        } else {
            intern_field(field, self.interner)
        };
        self.data.push(id);
    }

    /// Ends the line that runs from `line_start` to the newline (or the end of the text) at
    /// `at`, its last field from `field_start`; a line with another number of fields than
    /// those before it is `(its fields, theirs, where it ends)`.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    fn end_line(
        &mut self,
        text: &str,
        line_start: usize,
        field_start: usize,
        n_fields: usize,
        number: u64,
        digits: bool,
        at: usize,
    ) -> Result<(), (usize, usize, usize)> {
        self.line_no += 1;
        let crlf = at > line_start && text.as_bytes()[at - 1] == b'\r';
        let end = at - usize::from(crlf);
        if end == line_start {
            return Ok(());
        }
        // A field that ran into the `\r` was not read as a number on the way.
        self.field(text, field_start, end, number, digits && !crlf);
        let n_fields = n_fields + 1;
        match self.width {
            None => {
                self.width = Some(n_fields);
                self.data.reserve(self.n_lines.saturating_sub(self.line_no as usize) * n_fields);
            }
            Some(w) if w != n_fields => return Err((n_fields, w, end)),
            Some(_) => {}
        }
        self.lines.push(self.line_no);
        Ok(())
    }
}

/// A line with another number of fields than the lines before it.
fn field_count_error(
    name: &str,
    line_no: u32,
    n_fields: usize,
    w: usize,
    format: Format,
    offset: usize,
    len: usize,
) -> TableError {
    TableError {
        code: "load::bad_row",
        message: format!(
            "`{name}` line {line_no}: {n_fields} field{} where earlier lines have {w}",
            if n_fields == 1 { "" } else { "s" }
        ),
        help: Some(format!(
            "every line needs {w} {} fields",
            if format == Format::Tsv { "tab-separated" } else { "comma-separated" }
        )),
        offset,
        len,
    }
}

/// The rows of a data file as they are read: every field interned, row after row, and the
/// line each row ends on.
struct Rows<'a> {
    name: &'a str,
    format: Format,
    data: Vec<Id>,
    lines: crate::program::LineNumbers,
    width: Option<usize>,
}

impl Rows<'_> {
    /// A record's text, which must be UTF-8.
    fn utf8<'b>(&self, record: &'b [u8], start: usize, line: u32) -> Result<&'b str, TableError> {
        std::str::from_utf8(record).map_err(|bad| {
            let at = start + bad.valid_up_to();
            TableError {
                code: "load::invalid_utf8",
                message: format!("`{}` line {line}: invalid UTF-8 at byte offset {at}", self.name),
                help: Some("save the file as UTF-8".into()),
                offset: at,
                len: 1,
            }
        })
    }

    /// Ends a row of `n_fields` fields, the record at `start` of `len` bytes that ends on line
    /// `line`: it must have as many fields as the first.
    fn end_record(&mut self, n_fields: usize, start: usize, len: usize, line: u32) -> Result<(), TableError> {
        match self.width {
            None => self.width = Some(n_fields),
            Some(w) if w != n_fields => {
                return Err(field_count_error(self.name, line, n_fields, w, self.format, start, len));
            }
            Some(_) => {}
        }
        self.lines.push(line);
        Ok(())
    }
}

/// A TSV field with the writer's escapes undone: `\t`, `\n`, `\r`, `\\`; any other backslash
/// stays as it is.
fn tsv_unescape<'a>(field: &str, buf: &'a mut String) -> &'a str {
    buf.clear();
    let mut chars = field.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            buf.push(c);
            continue;
        }
        match chars.clone().next() {
            Some('t') => buf.push('\t'),
            Some('n') => buf.push('\n'),
            Some('r') => buf.push('\r'),
            Some('\\') => buf.push('\\'),
            _ => {
                buf.push('\\');
                continue;
            }
        }
        chars.next();
    }
    buf
}

/// A field's value: an integer, a decimal, a time (`1953-10-01`, `1953-10`, `1991..2019`), or
/// text. A field is a number only when it is written as the language writes one and reads back
/// as the same number: `7`, `-3`, `2.5`, `2.5e9`. Anything else that is not a time is text,
/// never a number changed on the way: a leading zero (`007`, an identifier that must not
/// collide with `7`), a `+` sign, an integer beyond 64 bits (`99999999999999999999`), a decimal
/// beyond f64 (`1e999`), `NaN`, `inf`.
fn intern_field(text: &str, interner: &mut Interner) -> Id {
    match number_syntax(text) {
        Some(false) => {
            if let Ok(i) = text.parse::<i64>() {
                return interner.intern(Value::Int(i));
            }
        }
        Some(true) => {
            if let Ok(d) = text.parse::<f64>() {
                if d.is_finite() {
                    return interner.intern(Value::Dec(d));
                }
            }
        }
        None => {}
    }
    // After the numbers, so that an integer column pays nothing for dates.
    let first = text.as_bytes().first().copied().unwrap_or(b'a');
    if (first.is_ascii_digit() || first == b'-' || first == b'.') && is_time_shaped(text) {
        if let Ok(time) = text.parse::<crate::value::Interval>() {
            return interner.intern(Value::Interval(time));
        }
    }
    interner.intern_text(text)
}

/// Shaped like a date with a month (`1953-10`, `1953-10-01`: a four-digit year at least, so
/// that a score such as `10-05` stays text) or like an interval of dates or years. A bare year
/// is an integer, read as a year where a time is needed.
fn is_time_shaped(text: &str) -> bool {
    fn date(s: &str, bare_year: bool) -> bool {
        let body = s.strip_prefix('-').unwrap_or(s).as_bytes();
        let year = body.iter().take_while(|b| b.is_ascii_digit()).count();
        // After the year: nothing, `-MM` or `-MM-DD`.
        let rest = &body[year..];
        let two = |at: usize| rest[at] == b'-' && rest[at + 1].is_ascii_digit() && rest[at + 2].is_ascii_digit();
        year > 0
            && match rest.len() {
                0 => bare_year,
                3 => year >= 4 && two(0),
                6 => year >= 4 && two(0) && two(3),
                _ => false,
            }
    }
    match text.split_once("..") {
        Some((a, b)) => (a.is_empty() || date(a, true)) && (b.is_empty() || date(b, true)) && text != "..",
        None => date(text, false),
    }
}

/// Whether `text` is spelt as a number of the language: `Some(false)` an integer
/// (`-?(0|[1-9][0-9]*)`), `Some(true)` a decimal (the same, then `.digits` and/or an exponent
/// `e[+-]digits`), `None` anything else.
fn number_syntax(text: &str) -> Option<bool> {
    let b = text.as_bytes();
    let mut i = usize::from(b.first() == Some(&b'-'));
    let digits = |i: &mut usize| {
        let start = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - start
    };
    let start = i;
    let n = digits(&mut i);
    if n == 0 || (n > 1 && b[start] == b'0') {
        return None;
    }
    let mut decimal = false;
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return None;
        }
        decimal = true;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return None;
        }
        decimal = true;
    }
    (i == b.len()).then_some(decimal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_shaped_fields_are_times() {
        let (_, vals, _) =
            table("1953-10-01\t1953-10\t1991..2019\t1953-10..\t1953\t10-05\t1953-02-30\n", Format::Tsv).unwrap();
        let shown: Vec<&str> = vals.iter().map(|v| v.split('(').next().unwrap_or("")).collect();
        assert_eq!(shown, ["Interval", "Interval", "Interval", "Interval", "Int", "Text", "Text"]);
    }

    /// The one-pass TSV reader reads every text as the line-by-line reader does: values, line
    /// numbers, widths and errors.
    #[test]
    fn tsv_reader_agrees_with_the_general_reader() {
        let pieces = [
            "0",
            "7",
            "007",
            "-3",
            "12345678901234567890",
            "2147483646",
            "2147483647",
            "2.5",
            "a",
            "x\\ty",
            "",
            "1953-10",
            "\r",
            "\t",
            "\n",
            "\n\n",
            "\r\n",
        ];
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..3000 {
            let mut text = String::new();
            for _ in 0..(state % 12) {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                text.push_str(pieces[(state % pieces.len() as u64) as usize]);
            }
            for header in [false, true] {
                let (mut a, mut b) = (Interner::default(), Interner::default());
                let fast = read_tsv(&text, 0, "t", header, &mut a)
                    .map(|(d, l, w)| (d.iter().map(|&id| a.value(id)).collect::<Vec<_>>(), l.to_vec(), w));
                let general = read_records(text.as_bytes(), 0, "t", header, &mut b, Format::Tsv)
                    .map(|(d, l, w)| (d.iter().map(|&id| b.value(id)).collect::<Vec<_>>(), l.to_vec(), w));
                match (fast, general) {
                    (Ok(x), Ok(y)) => assert_eq!(x, y, "{text:?}"),
                    (Err(x), Err(y)) => {
                        assert_eq!((x.message, x.offset, x.len), (y.message, y.offset, y.len), "{text:?}")
                    }
                    (x, y) => panic!("{text:?}: {:?} against {:?}", x.is_ok(), y.is_ok()),
                }
            }
        }
    }

    /// A TSV file read a block at a time gives the table the whole text gives, wherever the
    /// blocks split its lines (a byte-order mark, `\r\n`, a header after empty lines, a line
    /// longer than a block), and its first lines for the header hint; a file the whole-text
    /// reader refuses, or that is not UTF-8, is left to it (`None`).
    #[test]
    fn a_tsv_file_read_by_blocks_gives_the_whole_table() {
        let pieces = ["0", "7", "007", "-3", "2.5", "a", "x\\ty", "", "1953-10", "\r", "\t", "\n", "\n\n", "\r\n", "é"];
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        for round in 0..3000 {
            let mut text = String::from(if round % 5 == 0 { "\u{feff}" } else { "" });
            for _ in 0..(state % 14) {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                text.push_str(pieces[(state % pieces.len() as u64) as usize]);
            }
            let bytes = text.as_bytes();
            for header in [false, true] {
                let mut a = Interner::default();
                let whole = read_table(bytes, "t", header, &mut a, Format::Tsv)
                    .map(|t| (t.data.iter().map(|&id| a.value(id)).collect::<Vec<_>>(), t.lines.to_vec(), t.width));
                for block in [1, 2, 3, 5, 16, 1 << 10] {
                    let mut b = Interner::default();
                    let streamed = stream_tsv(bytes, bytes.len() as u64, block, "t", header, &mut b);
                    match (&whole, streamed) {
                        (Ok(x), Some((t, head))) => {
                            let y =
                                (t.data.iter().map(|&id| b.value(id)).collect::<Vec<_>>(), t.lines.to_vec(), t.width);
                            assert_eq!(*x, y, "{text:?} by {block}");
                            assert!(bytes.starts_with(&head), "{text:?} by {block}");
                            assert!(two_lines(&head) || head == bytes, "{text:?} by {block}: {head:?}");
                        }
                        (Err(_), None) => {}
                        (x, y) => panic!("{text:?} by {block}: {:?} against {:?}", x.is_ok(), y.is_some()),
                    }
                }
            }
        }
        let mut interner = Interner::default();
        assert!(stream_tsv(&b"a\tb\nc\xff\td\n"[..], 10, 4, "t", false, &mut interner).is_none(), "not UTF-8");
    }

    /// A file is read into a buffer of its size, not one grown by doubling.
    #[test]
    fn a_file_is_read_into_a_buffer_of_its_size() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.kb");
        let text: Vec<u8> = (0..100_000u32).map(|i| b'a' + (i % 26) as u8).collect();
        std::fs::write(&path, &text).unwrap();
        let bytes = read_path(&path).unwrap();
        assert_eq!(bytes, text);
        assert!(bytes.capacity() <= text.len() + 1, "{} for {}", bytes.capacity(), text.len());
    }

    fn table(text: &str, format: Format) -> Result<(usize, Vec<String>, Vec<u32>), String> {
        let mut interner = Interner::default();
        let t = read_table(text.as_bytes(), "t", false, &mut interner, format).map_err(|e| e.message)?;
        Ok((
            t.width.unwrap_or(0),
            t.data.iter().map(|&id| format!("{:?}", interner.value(id))).collect(),
            t.lines.to_vec(),
        ))
    }

    #[test]
    fn normalize_keeps_leading_parents() {
        let n = |p: &str| normalize(Path::new(p)).display().to_string();
        assert_eq!(n("a/./b/../c"), "a/c");
        assert_eq!(n("../../x.kb"), "../../x.kb");
        assert_eq!(n("a/../../x.kb"), "../x.kb");
        assert_eq!(n("/../x.kb"), "/x.kb");
    }

    #[test]
    fn theory_folders_go_up_to_the_root() {
        let shown = |base: &str| -> Vec<String> {
            theory_folders(Path::new(base)).iter().map(|p| p.display().to_string()).collect()
        };
        assert_eq!(shown("/x/y"), ["/x/y/theories", "/x/theories", "/theories"]);
        let relative = shown("a/b");
        assert_eq!(relative[..3], ["a/b/theories", "a/theories", "theories"]);
        // Then above the current folder, as `..`, up to the root.
        let depth = normalize(&std::path::absolute(".").unwrap()).components().count() - 1;
        assert_eq!(relative.len(), 3 + depth);
        assert_eq!(relative.get(3).map(String::as_str), (depth > 0).then_some("../theories"));
    }

    use proptest::strategy::Strategy as _;

    proptest::proptest! {
        /// Every field `field_span` locates holds the text `read_table` read there: fields with
        /// separators, quotes and newlines (CSV, quoted as the writer quotes them) or plain
        /// (TSV), on records that may span lines.
        #[test]
        fn located_fields_hold_what_was_read(
            csv in proptest::bool::ANY,
            rows in (2usize..4).prop_flat_map(|w| proptest::collection::vec(
                proptest::collection::vec("[a-z ,\"\n]{1,5}", w), 1..5)),
        ) {
            use proptest::prop_assert_eq;
            let format = if csv { Format::Csv } else { Format::Tsv };
            // TSV has no quoting: its fields lose separators and newlines.
            let rows: Vec<Vec<String>> = rows
                .into_iter()
                .map(|r| r.into_iter().map(|f| if csv { f } else { f.replace(['\n', ','], "x") }).collect())
                .collect();
            let mut text = String::new();
            for row in &rows {
                let fields: Vec<String> = row
                    .iter()
                    .map(|f| match format {
                        Format::Csv => format!("\"{}\"", f.replace('"', "\"\"")),
                        Format::Tsv => f.clone(),
                    })
                    .collect();
                text.push_str(&fields.join(if csv { "," } else { "\t" }));
                text.push('\n');
            }
            let mut interner = Interner::default();
            let table = read_table(text.as_bytes(), "t", false, &mut interner, format).expect("a table");
            prop_assert_eq!(table.lines.len(), rows.len());
            for (r, row) in rows.iter().enumerate() {
                for (c, field) in row.iter().enumerate() {
                    let (a, b) = field_span(text.as_bytes(), format, table.lines.get(r), c).expect("located");
                    let located = &text[a..b];
                    let read = match format {
                        Format::Csv => located[1..located.len() - 1].replace("\"\"", "\""),
                        Format::Tsv => located.to_string(),
                    };
                    prop_assert_eq!(&read, field);
                }
            }
        }
    }

    #[test]
    fn fields_are_located_as_read() {
        let tsv = b"a\t1\n\nbb\tcc\td\r\n";
        assert_eq!(field_span(tsv, Format::Tsv, 3, 1), Some((8, 10)));
        assert_eq!(field_span(tsv, Format::Tsv, 1, 0), Some((0, 1)));
        assert_eq!(field_span(tsv, Format::Tsv, 3, 3), None);
        // A quoted CSV field may hold a comma and a newline: the record ends on line 2.
        let csv = b"x,\"a,\nb\",y\n";
        assert_eq!(field_span(csv, Format::Csv, 2, 2), Some((9, 10)));
        assert_eq!(field_span(csv, Format::Csv, 2, 1), Some((2, 8)));
    }

    #[test]
    fn tsv_fields_are_typed() {
        let (w, vals, lines) = table("a\t1\t2.5\n\nb\t-3\tx y\n", Format::Tsv).unwrap();
        assert_eq!(w, 3);
        assert_eq!(vals, ["Text(\"a\")", "Int(1)", "Dec(2.5)", "Text(\"b\")", "Int(-3)", "Text(\"x y\")"]);
        assert_eq!(lines, [1, 3]);
    }

    #[test]
    fn fields_that_would_change_as_numbers_stay_text() {
        let (_, vals, _) = table(
            "007	99999999999999999999	+5	1e999	NaN	-0	0.50	1.	.5	2.5E+3
",
            Format::Tsv,
        )
        .unwrap();
        assert_eq!(
            vals,
            [
                "Text(\"007\")",
                "Text(\"99999999999999999999\")",
                "Text(\"+5\")",
                "Text(\"1e999\")",
                "Text(\"NaN\")",
                "Int(0)",
                "Dec(0.5)",
                "Text(\"1.\")",
                "Text(\".5\")",
                "Int(2500)",
            ]
        );
    }

    #[test]
    fn csv_quotes_and_bad_rows() {
        let (w, vals, _) = table("\"a, b\",\"say \"\"hi\"\"\"\nc,d\n", Format::Csv).unwrap();
        assert_eq!(w, 2);
        assert_eq!(vals[0], "Text(\"a, b\")");
        assert_eq!(vals[1], "Text(\"say \\\"hi\\\"\")");
        assert_eq!(table("a,b\nc\n", Format::Csv).unwrap_err(), "`t` line 2: 1 field where earlier lines have 2");
        assert_eq!(table("\"a,b\n", Format::Csv).unwrap_err(), "`t` line 1: unterminated quoted field");
        // A quote inside an unquoted field is text: it opens no field that runs on to line 2.
        let (_, vals, lines) = table("a\"b,c\nd,e\n", Format::Csv).unwrap();
        assert_eq!((vals[0].as_str(), lines), ("Text(\"a\\\"b\")", vec![1, 2]));
        // Spaces may follow a closing quote; a lone `\r` is data; CRLF ends a record.
        let (_, vals, lines) = table("\"a\" ,b\rc\r\n\r\n\"x\ny\",z\r\n", Format::Csv).unwrap();
        assert_eq!(vals, ["Text(\"a\")", "Text(\"b\\rc\")", "Text(\"x\\ny\")", "Text(\"z\")"]);
        assert_eq!(lines, [1, 4]);
        assert_eq!(
            table("a,b\n\"c\"d,e\n", Format::Csv).unwrap_err(),
            "`t` line 2: text after the closing quote of a field"
        );
    }

    #[test]
    fn a_header_is_the_first_line_that_is_not_empty() {
        for format in [Format::Tsv, Format::Csv] {
            let sep = if format == Format::Csv { "," } else { "\t" };
            let text = format!("\n\nname{sep}age\nann{sep}3\n");
            let mut interner = Interner::default();
            let t = read_table(text.as_bytes(), "t", true, &mut interner, format).unwrap();
            assert_eq!(t.lines.to_vec(), [4], "{format:?}");
        }
    }
}
