//! Relation storage: rows of interned ids in one flat vector, a membership structure (sorted
//! runs of packed tuples for relations of up to two columns, a hash set of row numbers for
//! wider ones), and hash indexes on the column sets that joins probe.
//!
//! Rows are append-only and numbered in insertion order, which is also the order of the rounds
//! that derived them (within a round, a narrow relation's rows are in key order). That gives
//! provenance almost for free: `round_starts` records where each round began, so the round
//! (height) of any row is a binary search, and an index chain, whose rows are increasing, can
//! stop at any round boundary.
//!
//! A narrow relation's derived rows are stored once: their keys and rounds are in the sorted
//! runs, and a round's rows are exactly its keys in key order, so the rows are a function of
//! the runs. While nothing indexes such a relation, only the latest round's rows (the next
//! round's delta) are kept as rows; the earlier ones are rebuilt from the runs the first time
//! one is read (see [`Relation::row`]), and stored for good once an index, a deletion or an
//! append other than a round's needs them (`store_rows`). A transitive closure evaluated in
//! batch then holds 10 bytes a path instead of 18.

use std::sync::{Arc, OnceLock};

use hashbrown::HashTable;

use super::runs::{self, Candidates, Narrow, Place, Run, pack};
use crate::value::Id;

/// How many tables a wide relation's hash set is split into.
const PARTS: usize = 16;

/// The table of a hash: bits that hashbrown uses neither for the bucket (low bits) nor for
/// the tag (top seven bits).
#[inline]
fn part(hash: u64) -> usize {
    ((hash >> 40) as usize) & (PARTS - 1)
}

/// From how many rows a two-column relation probed on its first column is read in its sorted
/// runs rather than through its index (see [`Relation::probes_read_runs`]).
pub const RUNS_PROBE_ROWS: usize = 1 << 16;

/// End of an index chain.
const NIL: u32 = u32::MAX;

/// Whether the row at `start` equals `tuple`: a plain loop, because a slice comparison of a
/// few ids calls `memcmp`, which dominated membership tests in profiles.
#[inline(always)]
pub fn row_eq(data: &[Id], start: usize, tuple: &[Id]) -> bool {
    match data.get(start..start + tuple.len()) {
        Some(row) => {
            let mut same = true;
            for (a, b) in row.iter().zip(tuple) {
                same &= a == b;
            }
            same
        }
        None => false,
    }
}

pub use crate::value::hash_ids;

/// Whether `row` is live under the dead-row bits `dead` (see [`Relation::dead_bits`]).
#[inline(always)]
pub fn is_live(dead: &[u64], row: u32) -> bool {
    dead.get(row as usize / 64).is_none_or(|w| w & (1 << (row % 64)) == 0)
}

/// A hash index on some columns: for each distinct key, a chain of the rows that have it,
/// linked through `next` in increasing row order.
#[derive(Debug, Clone)]
pub struct Index {
    pub cols: Vec<usize>,
    /// (first row, last row) of each key's chain.
    table: HashTable<(u32, u32)>,
    next: Vec<u32>,
}

impl Index {
    fn new(cols: Vec<usize>) -> Index {
        Index { cols, table: HashTable::new(), next: Vec::new() }
    }

    fn key_hash<'a>(&self, row: &impl Fn(u32) -> &'a [Id], at: u32) -> u64 {
        let tuple = row(at);
        hash_ids(self.cols.iter().map(|&c| tuple[c]))
    }

    /// About how many distinct keys `rows` hold, from one pass over their hashes (linear
    /// counting: the share of bits a bitmap of about as many bits as rows leaves unset), a few
    /// percent over.
    fn distinct_estimate<'a>(&self, row: &impl Fn(u32) -> &'a [Id], rows: std::ops::Range<u32>) -> usize {
        let n = rows.len();
        let bits = n.next_power_of_two().max(64);
        let mut bitmap = vec![0u64; bits / 64];
        for at in rows {
            let slot = self.key_hash(row, at) as usize & (bits - 1);
            bitmap[slot / 64] |= 1 << (slot % 64);
        }
        let unset = bitmap.iter().map(|w| w.count_zeros() as usize).sum::<usize>().max(1);
        let estimate = -(bits as f64) * (unset as f64 / bits as f64).ln();
        ((estimate * 1.05) as usize + 16).min(n)
    }

    /// Adds rows `self.next.len()..n_rows` to the index, but for dead ones; `row` reads a row
    /// (stored, or rebuilt from the sorted runs).
    fn extend<'a>(&mut self, row: impl Fn(u32) -> &'a [Id], n_rows: usize, dead: &[u64]) {
        let first_new = self.next.len();
        self.next.resize(n_rows, NIL);
        // Many rows at once (an index built on a loaded table or a whole relation): the table
        // is sized for their keys first, so it is not rehashed as it grows (each rehash reads
        // the first row of every key again, a cache miss each).
        if n_rows - first_new >= 1 << 12 {
            let keys = self.distinct_estimate(&row, first_new as u32..n_rows as u32);
            let (cols, table) = (&self.cols, &mut self.table);
            table.reserve(keys, |&(first, _)| {
                let tuple = row(first);
                hash_ids(cols.iter().map(|&c| tuple[c]))
            });
        }
        for at in (first_new as u32..n_rows as u32).filter(|&r| is_live(dead, r)) {
            let hash = self.key_hash(&row, at);
            let cols = &self.cols;
            let this = row(at);
            let same = |&(first, _): &(u32, u32)| {
                let other = row(first);
                cols.iter().all(|&c| other[c] == this[c])
            };
            match self.table.find_mut(hash, same) {
                Some(entry) => {
                    self.next[entry.1 as usize] = at;
                    entry.1 = at;
                }
                None => {
                    let (cols, table) = (&self.cols, &mut self.table);
                    table.insert_unique(hash, (at, at), |&(first, _)| {
                        let tuple = row(first);
                        hash_ids(cols.iter().map(|&c| tuple[c]))
                    });
                }
            }
        }
    }
}

/// An index a plan asked for, built the first time it is probed: a plan may never probe it (a
/// large two-column relation probed on its first column is read through its sorted runs; an
/// index `why` needs is used only when something is explained).
#[derive(Clone)]
struct LazyIndex {
    cols: Vec<usize>,
    built: OnceLock<Index>,
}

/// Only the columns: whether the index is built yet is not part of the relation's `Debug` text
/// (which tests compare to check that a relation did not change).
impl std::fmt::Debug for LazyIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Index{:?}", self.cols)
    }
}

impl LazyIndex {
    fn bytes(&self) -> usize {
        self.built.get().map_or(0, |ix| ix.next.capacity() * 4 + ix.table.capacity() * 9)
    }
}

/// How a relation knows which tuples it holds.
#[derive(Debug, Clone)]
enum Members {
    /// Up to two columns: sorted runs of packed tuples (see [`runs`](super::runs)).
    Sorted(Narrow),
    /// Wider tuples: a hash set of row numbers, split by hash into [`PARTS`] tables so that
    /// growing it never holds two copies of the whole table at once.
    Hashed(Vec<HashTable<u32>>),
}

/// Rows rebuilt from the sorted runs on first read (see [`Relation::row`]): a cache of what
/// the runs hold, so its state is not part of the relation's `Debug` text (which tests compare
/// to check that a relation did not change).
#[derive(Clone, Default)]
struct Rebuilt(OnceLock<Vec<Id>>);

impl std::fmt::Debug for Rebuilt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Rebuilt")
    }
}

/// One predicate's rows.
#[derive(Debug, Clone)]
pub struct Relation {
    pub width: usize,
    /// Rows `0..n_rows - unstored`. Shared with the loaded table when the rows are exactly a
    /// table's rows.
    data: Arc<Vec<Id>>,
    n_rows: u32,
    /// How many rows at the end are not in `data` (a narrow relation's derived rows; see the
    /// module documentation): the last `recent.len() / width` of them are in `recent`, the
    /// ones before are kept only in the sorted runs.
    unstored: u32,
    /// The latest round's rows, when they are not in `data`: rows `recent_start..n_rows`.
    recent: Vec<Id>,
    recent_start: u32,
    /// The rows kept only in the runs, rebuilt from them the first time one is read.
    rebuilt: Rebuilt,
    members: Members,
    indexes: Vec<LazyIndex>,
    /// Rows before `round_starts[0]` are base facts; round `r` of the predicate's stratum
    /// derived rows `round_starts[r]..round_starts[r + 1]`. The relation keeps these itself:
    /// the driver starts a round with [`Relation::begin_round`] and reads them through
    /// [`Relation::rows_below`], [`Relation::last_round`] and [`Relation::height`]. (Still
    /// visible to the crate for code that copies a relation round by round.)
    round_starts: Vec<u32>,
    /// For each base row, where it came from (see `Database::origin`).
    /// Runs of consecutive origin codes: `(first row, its code)`; a run extends to the next
    /// run's first row (or to `origin_rows`). Loaded files give one run per file, not a code
    /// per row.
    base_origins: Vec<(u32, u32)>,
    /// How many leading rows have an origin recorded.
    origin_rows: u32,
    /// Rows removed by an incremental deletion, one bit each (empty while none is). A dead
    /// row keeps its place, so row numbers and round boundaries stay as they were; it is out
    /// of the membership structure, and scans and chain walks step over it.
    dead: Vec<u64>,
    n_dead: u32,
}

impl Relation {
    pub fn new(width: usize) -> Relation {
        let members = if width <= 2 {
            Members::Sorted(Narrow::default())
        } else {
            Members::Hashed((0..PARTS).map(|_| HashTable::new()).collect())
        };
        Relation {
            width,
            data: Arc::new(Vec::new()),
            n_rows: 0,
            unstored: 0,
            recent: Vec::new(),
            recent_start: 0,
            rebuilt: Rebuilt::default(),
            members,
            indexes: Vec::new(),
            round_starts: Vec::new(),
            base_origins: Vec::new(),
            origin_rows: 0,
            dead: Vec::new(),
            n_dead: 0,
        }
    }

    /// How many facts the relation holds (its live rows).
    pub fn len(&self) -> usize {
        (self.n_rows - self.n_dead) as usize
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// One past the last row number: rows `0..end()` are stored, some perhaps dead (see
    /// [`Relation::is_live`]).
    #[inline]
    pub fn end(&self) -> u32 {
        self.n_rows
    }

    /// Whether `row` holds a fact (it was not removed by an incremental deletion).
    #[inline]
    pub fn is_live(&self, row: u32) -> bool {
        is_live(&self.dead, row)
    }

    /// The dead-row bits, for loops that test many rows (empty while no row is dead; see
    /// [`is_live`]).
    #[inline]
    pub fn dead_bits(&self) -> &[u64] {
        &self.dead
    }

    /// How many rows are dead.
    pub fn dead_count(&self) -> usize {
        self.n_dead as usize
    }

    /// The live rows among `lo..hi`, in order.
    pub fn live_in(&self, lo: u32, hi: u32) -> impl Iterator<Item = u32> + '_ {
        (lo..hi.min(self.n_rows)).filter(move |&r| self.is_live(r))
    }

    /// Every live row, in order.
    pub fn live_rows(&self) -> impl Iterator<Item = u32> + '_ {
        self.live_in(0, self.n_rows)
    }

    /// Removes the facts at `rows` (live rows, distinct): they leave the membership structure,
    /// and scans and chain walks step over them. Row numbers, rounds and the heights of the
    /// other rows do not change.
    pub fn remove_rows(&mut self, rows: &[u32]) {
        debug_assert!(rows.iter().all(|&r| self.is_live(r)));
        let tuples: Vec<Id> = rows.iter().flat_map(|&r| self.row(r)).copied().collect();
        let removed = self.remove_facts(&tuples, rows.len());
        debug_assert_eq!(removed.len(), rows.len());
    }

    /// Removes those of the `n` facts of `tuples` (flat, `width` ids each) that the relation
    /// holds, as [`Relation::remove_rows`] does; returns their rows. A narrow relation finds
    /// them all in one galloping pass over each sorted run.
    pub fn remove_facts(&mut self, tuples: &[Id], n: usize) -> Vec<u32> {
        self.store_rows();
        let width = self.width;
        let tuple = |i: usize| &tuples[i * width..(i + 1) * width];
        let rows: Vec<u32> = match &mut self.members {
            Members::Sorted(narrow) => {
                let mut keys: Vec<u64> = (0..n).map(|i| pack(tuple(i))).collect();
                keys.sort_unstable();
                keys.dedup();
                let places = narrow.take(&mut keys);
                places.into_iter().map(|(key, place)| self.resolve(key, place)).collect()
            }
            Members::Hashed(set) => {
                let data = &self.data;
                let mut rows = Vec::new();
                for i in 0..n {
                    let hash = hash_ids(tuple(i).iter().copied());
                    let table = &mut set[part(hash)];
                    if let Ok(entry) = table.find_entry(hash, |&r| row_eq(data, r as usize * width, tuple(i))) {
                        rows.push(*entry.get());
                        entry.remove();
                    }
                }
                rows
            }
        };
        if rows.is_empty() {
            return rows;
        }
        self.dead.resize((self.n_rows as usize).div_ceil(64), 0);
        for &r in &rows {
            self.dead[r as usize / 64] |= 1 << (r % 64);
        }
        self.n_dead += rows.len() as u32;
        rows
    }

    /// The ids of `row`.
    #[inline]
    pub fn row(&self, row: u32) -> &[Id] {
        let (stored, w) = (self.n_rows - self.unstored, self.width);
        if row < stored {
            let base = row as usize * w;
            &self.data[base..base + w]
        } else if row >= self.recent_start {
            let base = (row - self.recent_start) as usize * w;
            &self.recent[base..base + w]
        } else {
            self.rebuilt_row(row, stored)
        }
    }

    /// A row kept only in the runs (rebuilt with the others on the first such read).
    #[cold]
    fn rebuilt_row(&self, row: u32, stored: u32) -> &[Id] {
        let rows = self.rebuilt.0.get_or_init(|| self.rebuild(stored, self.recent_start));
        let base = (row - stored) as usize * self.width;
        &rows[base..base + self.width]
    }

    /// The rows `from..to`, kept only in the runs: a base row's run numbers it, and a round's
    /// rows are its keys in key order, each round's keys in one run, in key order, so each key
    /// goes to the next free row of its round.
    ///
    /// A long run interleaves thousands of rounds (the 8M-path chain's, 4,000), so writing
    /// each key straight to its round's next row is a cache miss a key. The keys are taken in
    /// blocks instead, sorted by round within the block (a counting sort in a buffer that stays
    /// in cache), and each round's part of the block is copied to its rows in one piece.
    fn rebuild(&self, from: u32, to: u32) -> Vec<Id> {
        // Small blocks in unit tests, so that their relations take several.
        const BLOCK: usize = if cfg!(test) { 64 } else { 1 << 16 };
        let w = self.width;
        let mut rows = vec![0; (to - from) as usize * w];
        let put = |rows: &mut [Id], at: u32, key: u64| {
            let at = at as usize * w;
            runs::unpack_to(key, &mut rows[at..at + w]);
        };
        let Members::Sorted(narrow) = &self.members else { return rows };
        // Base rows, numbered in their runs.
        if from < self.rows_below(1) {
            narrow.base().for_each_row_key(|row, key| {
                if (from..to).contains(&row) {
                    put(&mut rows, row - from, key);
                }
            });
        }
        let n_rounds = self.round_starts.len();
        // The next free row of each round (relative to `from`), `u32::MAX` for a round outside.
        let mut next: Vec<u32> = self
            .round_starts
            .iter()
            .map(|&start| if (from..to).contains(&start) { start - from } else { u32::MAX })
            .collect();
        // Each block pays a pass over the rounds: with more rounds than a quarter block (a
        // round holds a few keys), each key goes straight to its row.
        if n_rounds > BLOCK / 4 {
            narrow.derived().for_each_round_key(|round, key| {
                let at = &mut next[round as usize];
                if *at != u32::MAX {
                    put(&mut rows, *at, key);
                    *at += 1;
                }
            });
            return rows;
        }
        let wanted: Vec<bool> = next.iter().map(|&n| n != u32::MAX).collect();
        let mut block: Vec<(u32, u64)> = Vec::with_capacity(BLOCK);
        let mut sorted: Vec<u64> = vec![0; BLOCK];
        let (mut count, mut at) = (vec![0u32; n_rounds + 1], vec![0u32; n_rounds + 1]);
        let mut flush = |block: &mut Vec<(u32, u64)>, rows: &mut Vec<Id>| {
            count.fill(0);
            for &(round, _) in block.iter() {
                count[round as usize + 1] += 1;
            }
            for r in 0..n_rounds {
                count[r + 1] += count[r];
            }
            at.copy_from_slice(&count);
            for &(round, key) in block.iter() {
                sorted[at[round as usize] as usize] = key;
                at[round as usize] += 1;
            }
            for r in 0..n_rounds {
                for &key in &sorted[count[r] as usize..count[r + 1] as usize] {
                    put(rows, next[r], key);
                    next[r] += 1;
                }
            }
            block.clear();
        };
        narrow.derived().for_each_round_key(|round, key| {
            if wanted[round as usize] {
                block.push((round, key));
                if block.len() == BLOCK {
                    flush(&mut block, &mut rows);
                }
            }
        });
        flush(&mut block, &mut rows);
        rows
    }

    /// Moves every row into `data`, so that they can be indexed or changed in place: for a
    /// relation about to be indexed, changed or read often row by row (see [`Relation::row`]).
    pub fn store_rows(&mut self) {
        if self.unstored == 0 {
            return;
        }
        let stored = self.n_rows - self.unstored;
        let middle = match self.rebuilt.0.take() {
            Some(rows) => rows,
            None => self.rebuild(stored, self.recent_start),
        };
        let recent = std::mem::take(&mut self.recent);
        let data = Arc::make_mut(&mut self.data);
        data.reserve_exact(middle.len() + recent.len());
        data.extend_from_slice(&middle);
        data.extend_from_slice(&recent);
        self.unstored = 0;
    }

    /// Lets go of a narrow relation's rows, base and derived, which its sorted runs give back
    /// on demand (see [`Relation::row`]): for a relation that nothing will change, once nothing
    /// reads its rows in row order any more. Returns whether it did; a relation with dead rows,
    /// no columns, or an index that reads rows (a filled one, or one whose probes evaluation
    /// does not read in the runs) keeps its rows.
    pub fn release_rows(&mut self) -> bool {
        // An index that reads rows keeps them stored, as `index_for` stored them.
        let read_by_index = self.indexes.iter().any(|ix| ix.built.get().is_some() || !self.probes_read_runs(&ix.cols));
        if self.runs().is_none() || self.width == 0 || !self.dead.is_empty() || read_by_index {
            return false;
        }
        self.data = Arc::new(Vec::new());
        self.recent = Vec::new();
        self.rebuilt = Rebuilt::default();
        self.unstored = self.n_rows;
        self.recent_start = self.n_rows;
        true
    }

    /// Whether the relation holds no rows (see [`Relation::release_rows`]): all are in its
    /// sorted runs only, none rebuilt from them.
    pub fn rows_released(&self) -> bool {
        self.unstored == self.n_rows && self.recent.is_empty() && self.rebuilt.0.get().is_none()
    }

    /// Whether every row is in `data` (see [`Relation::store_rows`]).
    pub fn rows_stored(&self) -> bool {
        self.unstored == 0
    }

    /// The sorted runs of a narrow relation, `None` for a wide one.
    #[inline]
    pub fn runs(&self) -> Option<&Narrow> {
        match &self.members {
            Members::Sorted(runs) => Some(runs),
            Members::Hashed(_) => None,
        }
    }

    /// The row number holding exactly `tuple`, if any.
    #[inline]
    pub fn find(&self, tuple: &[Id]) -> Option<u32> {
        match &self.members {
            Members::Sorted(runs) => {
                let key = pack(tuple);
                runs.find(key).map(|place| self.resolve(key, place))
            }
            Members::Hashed(_) => self.find_hashed(hash_ids(tuple.iter().copied()), tuple),
        }
    }

    /// Whether the relation holds `tuple` (cheaper than [`Relation::find`] for a derived row).
    #[inline]
    pub fn contains(&self, tuple: &[Id]) -> bool {
        match &self.members {
            Members::Sorted(runs) => runs.contains(pack(tuple)),
            Members::Hashed(_) => self.find_hashed(hash_ids(tuple.iter().copied()), tuple).is_some(),
        }
    }

    /// The row of a present key: a derived row is found among its round's rows, which are in
    /// key order.
    fn resolve(&self, key: u64, place: Place) -> u32 {
        match place {
            Place::Row(row) => row,
            Place::Round(round) => {
                let lo = self.round_starts[round as usize];
                let hi = self.round_starts.get(round as usize + 1).copied().unwrap_or(self.n_rows);
                let key_of = |r: u32| pack(self.row(r));
                let (mut lo, mut hi) = (lo, hi);
                while lo < hi {
                    let mid = lo + (hi - lo) / 2;
                    if key_of(mid) < key { lo = mid + 1 } else { hi = mid }
                }
                lo
            }
        }
    }

    /// The row holding `tuple` in a wide relation, by its hash.
    #[inline]
    pub fn find_hashed(&self, hash: u64, tuple: &[Id]) -> Option<u32> {
        let (data, width) = (&self.data, self.width);
        match &self.members {
            Members::Hashed(set) => set[part(hash)].find(hash, |&r| row_eq(data, r as usize * width, tuple)).copied(),
            Members::Sorted(_) => self.find(tuple),
        }
    }

    /// Appends `tuple` unless present; returns whether it was new. Indexes are brought up to
    /// date by [`Relation::refresh_indexes`]. For a few tuples; many go through
    /// [`Relation::extend`].
    pub fn insert(&mut self, tuple: &[Id]) -> bool {
        let mut added = false;
        self.extend(tuple, 1, |_| added = true);
        added
    }

    /// [`Relation::extend`] with a loaded table's rows: an empty relation that keeps every
    /// row shares the table's storage instead of copying it.
    pub fn extend_shared(&mut self, table: &Arc<Vec<Id>>, count: usize, kept: impl FnMut(usize)) {
        let whole = self.n_rows == 0 && table.len() == count * self.width;
        self.extend_from(table, count, whole.then_some(table), kept);
    }

    /// Appends, in order, the `count` tuples of `tuples` (flat, `width` ids each) that are
    /// not present yet, the first of equal ones; `kept(i)` is told of each appended tuple.
    pub fn extend(&mut self, tuples: &[Id], count: usize, kept: impl FnMut(usize)) {
        self.extend_from(tuples, count, None, kept);
    }

    /// `shared`: the same rows, in storage this empty relation may share if it keeps them all.
    fn extend_from(&mut self, tuples: &[Id], count: usize, shared: Option<&Arc<Vec<Id>>>, mut kept: impl FnMut(usize)) {
        self.store_rows();
        let width = self.width;
        let tuple = |i: usize| &tuples[i * width..(i + 1) * width];
        match &mut self.members {
            Members::Hashed(_) => {
                if let Some(shared) = shared {
                    // Index the table's rows in place; copy only if one turns out a duplicate.
                    self.data = Arc::clone(shared);
                }
                self.reserve(count);
                for i in 0..count {
                    let hash = hash_ids(tuple(i).iter().copied());
                    if self.find_hashed(hash, tuple(i)).is_some() {
                        continue;
                    }
                    if shared.is_some() && self.n_rows as usize == i {
                        self.n_rows += 1;
                        self.insert_row(hash, i as u32);
                    } else {
                        if shared.is_some_and(|s| Arc::ptr_eq(&self.data, s)) {
                            // The first duplicate: from here on, rows are copied.
                            let data = Arc::make_mut(&mut self.data);
                            data.truncate(self.n_rows as usize * width);
                        }
                        self.push_hashed(hash, tuple(i));
                    }
                    kept(i);
                }
            }
            Members::Sorted(_) => {
                let pairs = key_pairs(tuples, width, count);
                self.push_base_pairs(pairs, count, Some((tuples, shared)), kept);
            }
        }
    }

    /// Appends a loaded table's tuples to a narrow relation that keeps no rows (see
    /// [`Relation::release_rows`]), as [`Relation::extend_shared`] does: the table is let go
    /// of as soon as its keys are read, before they are sorted, so a table read for a final
    /// evaluation is never held beside its sort.
    pub fn extend_released(&mut self, table: Arc<Vec<Id>>, count: usize, kept: impl FnMut(usize)) {
        debug_assert!(self.unstored == self.n_rows && self.recent.is_empty());
        self.rebuilt = Rebuilt::default();
        let pairs = key_pairs(&table, self.width, count);
        drop(table);
        self.push_base_pairs(pairs, count, None, kept);
    }

    /// Appends as base rows the tuples of `pairs` (each tuple's key and its position among
    /// `count`) that are not present yet, the first of equal ones, telling `kept` each kept
    /// position in order. `rows`: the tuples (flat) to store them from, and storage an empty
    /// relation may share if it keeps them all; `None` stores none (a relation that keeps no
    /// rows).
    fn push_base_pairs(
        &mut self,
        mut pairs: Vec<KeyAt>,
        count: usize,
        rows: Option<TableRows<'_>>,
        mut kept: impl FnMut(usize),
    ) {
        let width = self.width;
        let Members::Sorted(narrow) = &mut self.members else { return };
        // Sorted by key, then by position: the first of equal tuples comes first.
        let in_order = pairs.windows(2).all(|w| w[0].key() < w[1].key());
        if !in_order {
            sort_pairs(&mut pairs);
            pairs.dedup_by_key(|p| p.key());
        }
        for run in narrow.base().iter().chain(narrow.derived().iter()) {
            runs::retain_absent(&mut pairs, |p| p.key(), run);
        }
        let start = self.n_rows;
        // Every tuple kept (none was a duplicate or present already): the tuple at position
        // `i` is row `start + i`.
        let all_kept = pairs.len() == count;
        // Else the kept positions in order (a pass over `count` flags, not a sort).
        let order: Vec<u32> = if all_kept {
            Vec::new()
        } else {
            let mut keep = vec![false; count];
            for p in &pairs {
                keep[p.pos() as usize] = true;
            }
            (0..count as u32).filter(|&i| keep[i as usize]).collect()
        };
        let n_kept = pairs.len() as u32;
        match rows {
            Some((_, Some(shared))) if all_kept => {
                self.data = Arc::clone(shared);
                (0..count).for_each(&mut kept);
            }
            Some((tuples, _)) if all_kept => {
                let data = Arc::make_mut(&mut self.data);
                data.extend_from_slice(&tuples[..count * width]);
                (0..count).for_each(&mut kept);
            }
            Some((tuples, _)) => {
                let data = Arc::make_mut(&mut self.data);
                data.reserve(order.len() * width);
                for &i in &order {
                    let i = i as usize;
                    data.extend_from_slice(&tuples[i * width..(i + 1) * width]);
                    kept(i);
                }
            }
            None => {
                match all_kept {
                    true => (0..count).for_each(&mut kept),
                    false => order.iter().for_each(|&i| kept(i as usize)),
                }
                self.unstored += n_kept;
                self.recent_start += n_kept;
            }
        }
        self.n_rows += n_kept;
        let keys: Vec<u64> = pairs.iter().map(KeyAt::key).collect();
        let run = if in_order {
            Run::numbered_from(keys, start)
        } else if all_kept {
            let rows = pairs.iter().map(|p| start + p.pos()).collect();
            Run::numbered(keys, rows)
        } else {
            // The row of the tuple at position `i` is its rank among the kept positions: one
            // pass to record the ranks, one to read them (a binary search in `order` per
            // tuple missed the cache at every step, 9% of `neg`).
            let mut rank = vec![0u32; count];
            for (r, &i) in order.iter().enumerate() {
                rank[i as usize] = r as u32;
            }
            let rows = pairs.iter().map(|p| start + rank[p.pos() as usize]).collect();
            Run::numbered(keys, rows)
        };
        drop(pairs);
        if let Members::Sorted(narrow) = &mut self.members {
            narrow.push_base(run);
        }
    }

    /// Appends the new tuples of a round, what is left of `candidates` once they are filtered
    /// against the relation (a wide relation collects none). They become rows in key order, so
    /// their run needs no row numbers.
    ///
    /// While nothing indexes the relation, the new rows replace the previous round's as the
    /// only derived rows kept as rows (see the module documentation).
    pub fn append_candidates(&mut self, candidates: &mut Candidates) {
        let Members::Sorted(narrow) = &mut self.members else { return };
        let keys = candidates.finish(narrow);
        // The round being evaluated (its start was pushed when it began).
        let round = self.round_starts.len().saturating_sub(1) as u32;
        let compact =
            self.width > 0 && self.indexes.is_empty() && self.dead.is_empty() && self.rebuilt.0.get().is_none();
        if keys.is_empty() {
            // Nothing to append: the latest rows stay where they are.
        } else if compact {
            self.recent_start = self.n_rows;
            self.recent.clear();
            self.recent.reserve_exact(keys.len() * self.width);
            for &key in &keys {
                runs::unpack(key, self.width, &mut self.recent);
            }
            self.unstored += keys.len() as u32;
        } else {
            self.store_rows();
            let data = Arc::make_mut(&mut self.data);
            data.reserve(keys.len() * self.width);
            for &key in &keys {
                runs::unpack(key, self.width, data);
            }
        }
        self.n_rows += keys.len() as u32;
        if let Members::Sorted(narrow) = &mut self.members {
            narrow.push_derived(Run::of_round(keys, round));
        }
    }

    /// A sort key under which probes of a wide relation's hash set visit its tables and
    /// buckets in memory order: the table, then the bucket index (the hash's low bits, as many
    /// as the table has buckets; hashbrown's capacity is seven eighths of its bucket count).
    #[inline]
    pub fn probe_order(&self, hash: u64) -> u64 {
        let Members::Hashed(set) = &self.members else { return 0 };
        let p = part(hash);
        let buckets = (set[p].capacity() * 8 / 7).max(1).next_power_of_two() as u64;
        ((p as u64) << 56) | (hash & (buckets - 1))
    }

    /// Appends a tuple of a wide relation known not to be present (the `new` facts of a
    /// round).
    pub fn push_hashed(&mut self, hash: u64, tuple: &[Id]) {
        debug_assert!(self.find_hashed(hash, tuple).is_none());
        let row = self.n_rows;
        Arc::make_mut(&mut self.data).extend_from_slice(tuple);
        self.n_rows += 1;
        self.insert_row(hash, row);
    }

    /// Adds a stored row to a wide relation's hash set.
    fn insert_row(&mut self, hash: u64, row: u32) {
        let (data, width) = (&self.data, self.width);
        if let Members::Hashed(set) = &mut self.members {
            set[part(hash)].insert_unique(hash, row, |&r| {
                hash_ids(data[r as usize * width..r as usize * width + width].iter().copied())
            });
        }
    }

    pub fn reserve(&mut self, rows: usize) {
        if self.unstored > 0 {
            return;
        }
        if let Some(data) = Arc::get_mut(&mut self.data) {
            data.reserve(rows * self.width);
        }
        let (data, width) = (&self.data, self.width);
        if let Members::Hashed(set) = &mut self.members {
            for table in set {
                table.reserve(rows / PARTS, |&r| {
                    hash_ids(data[r as usize * width..r as usize * width + width].iter().copied())
                });
            }
        }
    }

    /// The index on exactly `cols` (in this order), if there is one.
    pub fn find_index(&self, cols: &[usize]) -> Option<usize> {
        self.indexes.iter().position(|ix| ix.cols == cols)
    }

    /// The index on exactly `cols` (in this order), creating it if needed. It is filled the
    /// first time it is probed, or by [`Relation::build_indexes`]. Probes read rows, so rows
    /// kept only in the runs are stored now, unless evaluation reads these probes in the runs
    /// ([`Relation::probes_read_runs`]): reading them one by one through the rebuilt cache
    /// would cost every probe a call.
    pub fn index_for(&mut self, cols: &[usize]) -> usize {
        if let Some(i) = self.find_index(cols) {
            return i;
        }
        if !self.probes_read_runs(cols) {
            self.store_rows();
        }
        self.indexes.push(LazyIndex { cols: cols.to_vec(), built: OnceLock::new() });
        self.indexes.len() - 1
    }

    /// Whether evaluation reads probes on `cols` in the sorted runs rather than through an
    /// index: a large two-column relation probed on its first column, whose keys in increasing
    /// order (a round's delta, a scan in key order) read each run in order, where the index's
    /// table, chain and row would each be a cache miss. (Below [`RUNS_PROBE_ROWS`] rows the
    /// index stays in cache and costs fewer instructions a probe.)
    pub fn probes_read_runs(&self, cols: &[usize]) -> bool {
        self.width == 2 && cols == [0] && self.len() >= RUNS_PROBE_ROWS && self.runs().is_some()
    }

    /// Records where the row just appended came from (base rows only, in row order).
    pub fn push_origin(&mut self, code: u32) {
        let row = self.origin_rows;
        match self.base_origins.last() {
            Some(&(start, first)) if first.wrapping_add(row - start) == code => {}
            _ => self.base_origins.push((row, code)),
        }
        self.origin_rows += 1;
    }

    /// The origin code of a base row, if one was recorded.
    pub fn origin_code(&self, row: u32) -> Option<u32> {
        if row >= self.origin_rows {
            return None;
        }
        let run = self.base_origins.partition_point(|&(start, _)| start <= row).checked_sub(1)?;
        let (start, first) = self.base_origins[run];
        Some(first + (row - start))
    }

    /// How many indexes the relation has (see [`Relation::index_cols`]).
    pub fn index_count(&self) -> usize {
        self.indexes.len()
    }

    /// Takes the base rows' origins from `other`, which holds the same base rows in the same
    /// order (an incremental update, when facts stated before them moved their codes).
    pub fn copy_origins_from(&mut self, other: &Relation) {
        self.base_origins = other.base_origins.clone();
        self.origin_rows = other.origin_rows;
    }

    /// Adds rows appended since the last refresh to every index.
    pub fn refresh_indexes(&mut self) {
        let mut indexes = std::mem::take(&mut self.indexes);
        for ix in &mut indexes {
            if let Some(built) = ix.built.get_mut() {
                built.extend(|r| self.row(r), self.n_rows as usize, &self.dead);
            }
        }
        self.indexes = indexes;
    }

    /// The first live row of the chain of rows whose index columns equal `key` (`NIL` if
    /// none).
    #[inline]
    pub fn probe(&self, index: usize, hash: u64, key: impl Fn(usize) -> Id) -> u32 {
        let ix = self.built_index(index);
        let found = ix.table.find(hash, |&(first, _)| {
            let row = self.row(first);
            ix.cols.iter().enumerate().all(|(k, &c)| row[c] == key(k))
        });
        found.map_or(NIL, |&(first, _)| self.live_from(&ix.next, first))
    }

    /// The live row after `row` in the same index chain (`NIL` at the end).
    #[inline]
    pub fn chain_next(&self, index: usize, row: u32) -> u32 {
        let next = &self.built_index(index).next;
        self.live_from(next, next[row as usize])
    }

    /// `row`, or the first live row after it in its chain: dead rows stay linked in their
    /// chains (unlinking one walks its whole chain, and a key's chain can hold millions of
    /// rows), and a walk steps over them.
    #[inline(always)]
    fn live_from(&self, next: &[u32], mut row: u32) -> u32 {
        if !self.dead.is_empty() {
            while row != NIL && !is_live(&self.dead, row) {
                row = next[row as usize];
            }
        }
        row
    }

    /// Fills every index not filled yet: for a front end that would rather pay now than at
    /// the first probe (the REPL, before changes and explanations).
    pub fn build_indexes(&mut self) {
        for i in 0..self.indexes.len() {
            self.built_index(i);
        }
    }

    /// Whether every index is filled (see [`Relation::build_indexes`]).
    pub fn indexes_built(&self) -> bool {
        self.indexes.iter().all(|ix| ix.built.get().is_some())
    }

    /// Index `index`, built over the rows stored now if this is its first use (a relation
    /// with an index stores its rows: see [`Relation::index_for`]).
    #[inline]
    fn built_index(&self, index: usize) -> &Index {
        let ix = &self.indexes[index];
        ix.built.get_or_init(|| {
            let mut built = Index::new(ix.cols.clone());
            built.extend(|r| self.row(r), self.n_rows as usize, &self.dead);
            built
        })
    }

    pub fn index_cols(&self, index: usize) -> &[usize] {
        &self.indexes[index].cols
    }

    /// The round of the relation's stratum that derived `row`: 0 for base facts, `r + 1` for
    /// rows derived in round `r`.
    pub fn height(&self, row: u32) -> usize {
        self.round_starts.partition_point(|&start| start <= row)
    }

    /// Starts a round of the relation's stratum: the rows appended until the next round
    /// begins are this round's, of height [`Relation::rounds`].
    pub fn begin_round(&mut self) {
        self.round_starts.push(self.n_rows);
    }

    /// How many rounds of the relation's stratum have begun (the height of the latest).
    pub fn rounds(&self) -> usize {
        self.round_starts.len()
    }

    /// How many rows have a height below `height` (rows are in the order of their heights):
    /// for `height` 1 the base rows, for `height` past the last round every row.
    pub fn rows_below(&self, height: usize) -> u32 {
        match height.checked_sub(1) {
            None => 0,
            Some(round) => self.round_starts.get(round).copied().unwrap_or(self.n_rows),
        }
    }

    /// The rows of the latest round, as a range (empty before the first round): the delta the
    /// next round joins with.
    pub fn last_round(&self) -> (u32, u32) {
        (self.round_starts.last().copied().unwrap_or(self.n_rows), self.n_rows)
    }

    /// Bytes kept only for explanations: round boundaries, and the round of each derived key
    /// in the sorted runs (without them a run would need no row information at all).
    pub fn provenance_bytes(&self) -> usize {
        let tags = match &self.members {
            Members::Sorted(narrow) => narrow.derived().tag_bytes(),
            Members::Hashed(_) => 0,
        };
        self.round_starts.capacity() * 4 + tags
    }

    /// Bytes held by the relation's storage by purpose, for the benchmarks (capacities, so
    /// what is reserved and not yet used counts too).
    pub fn footprint(&self) -> Footprint {
        let (keys, row_numbers, tags, bitmap, hashed) = match &self.members {
            Members::Sorted(narrow) => {
                let runs = [narrow.base(), narrow.derived()];
                (
                    runs.iter().map(|r| r.key_bytes()).sum(),
                    runs.iter().map(|r| r.row_number_bytes()).sum(),
                    runs.iter().map(|r| r.tag_bytes()).sum(),
                    narrow.dense().map_or(0, runs::Dense::heap_bytes),
                    0,
                )
            }
            Members::Hashed(set) => (0, 0, 0, 0, set.iter().map(|t| t.capacity() * 5).sum::<usize>()),
        };
        Footprint {
            rows: self.row_bytes_held(),
            keys,
            row_numbers,
            tags,
            bitmap,
            hashed,
            indexes: self.indexes.iter().map(LazyIndex::bytes).sum(),
            rounds: self.round_starts.capacity() * 4,
            origins: self.base_origins.capacity() * 8,
        }
    }

    /// Bytes held by the relation's storage, for `:time` and the benchmarks.
    pub fn heap_bytes(&self) -> usize {
        let members = match &self.members {
            Members::Sorted(runs) => runs.heap_bytes(),
            Members::Hashed(set) => set.iter().map(|t| t.capacity() * 5).sum::<usize>(),
        };
        self.row_bytes_held()
            + members
            + self.indexes.iter().map(LazyIndex::bytes).sum::<usize>()
            + self.round_starts.capacity() * 4
            + self.base_origins.capacity() * 8
    }

    /// Bytes of rows: stored, the latest round's, and those rebuilt from the runs.
    fn row_bytes_held(&self) -> usize {
        (self.data.capacity() + self.recent.capacity() + self.rebuilt.0.get().map_or(0, Vec::capacity)) * 4
    }

    /// Bytes one more row will take once stored (its ids, its membership entry, an entry in
    /// each index), spare capacity aside: what the memory budget charges a new fact before
    /// it is stored.
    pub fn row_bytes(&self) -> usize {
        let member = match &self.members {
            Members::Sorted(_) => 8 + 1, // a packed key and its round tag
            Members::Hashed(_) => 5,     // a row number and its control byte
        };
        self.width * 4 + member + self.indexes.len() * (4 + 9)
    }
}

pub const CHAIN_END: u32 = NIL;

/// What a relation's storage holds, in bytes (see [`Relation::footprint`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Footprint {
    /// The rows, flat: `width` ids of 4 bytes each (shared with a loaded table when the rows
    /// are exactly its rows).
    pub rows: usize,
    /// A narrow relation's packed keys in sorted runs, 8 bytes each.
    pub keys: usize,
    /// Explicit row numbers of base runs loaded out of key order.
    pub row_numbers: usize,
    /// The round of each derived key (provenance).
    pub tags: usize,
    /// A narrow relation's membership bitmap, when its keys fill their box (`runs::Dense`).
    pub bitmap: usize,
    /// A wide relation's hash set of row numbers.
    pub hashed: usize,
    /// Hash indexes: tables and row chains.
    pub indexes: usize,
    /// Round boundaries (provenance).
    pub rounds: usize,
    /// Where base rows came from.
    pub origins: usize,
}

impl Footprint {
    pub fn total(&self) -> usize {
        self.rows
            + self.keys
            + self.row_numbers
            + self.tags
            + self.bitmap
            + self.hashed
            + self.indexes
            + self.rounds
            + self.origins
    }
}

/// Sorts `(key, position)` pairs by key, equal keys in the order they come (a radix sort over
/// the bits of the key that vary: a table of node ids loaded out of key order sorts in a few
/// passes instead of a comparison sort's twenty).
fn sort_pairs(pairs: &mut Vec<KeyAt>) {
    if pairs.len() < 256 {
        pairs.sort_unstable_by_key(|p| (p.key(), p.pos()));
        return;
    }
    runs::radix_sort_by(pairs, &mut Vec::new(), KeyAt::key);
}

/// A packed key and a position, in 12 bytes: the key's high and low halves, then the position.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct KeyAt([u32; 3]);

/// A table's tuples (flat), and storage an empty relation may share if it keeps them all.
type TableRows<'a> = (&'a [Id], Option<&'a Arc<Vec<Id>>>);

/// The key of each of the `count` tuples of `tuples` (flat, `width` ids each), with its
/// position.
fn key_pairs(tuples: &[Id], width: usize, count: usize) -> Vec<KeyAt> {
    (0..count).map(|i| KeyAt::new(pack(&tuples[i * width..(i + 1) * width]), i as u32)).collect()
}

impl KeyAt {
    fn new(key: u64, pos: u32) -> KeyAt {
        KeyAt([(key >> 32) as u32, key as u32, pos])
    }

    #[inline]
    fn key(&self) -> u64 {
        (u64::from(self.0[0]) << 32) | u64::from(self.0[1])
    }

    #[inline]
    fn pos(&self) -> u32 {
        self.0[2]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_dedups_and_index_chains_in_row_order() {
        let mut r = Relation::new(2);
        assert!(r.insert(&[1, 2]));
        assert!(r.insert(&[1, 3]));
        assert!(!r.insert(&[1, 2]));
        assert!(r.insert(&[2, 3]));
        assert_eq!(r.len(), 3);
        let ix = r.index_for(&[0]);
        let mut rows = Vec::new();
        let mut at = r.probe(ix, hash_ids([1].into_iter()), |_| 1);
        while at != CHAIN_END {
            rows.push(at);
            at = r.chain_next(ix, at);
        }
        assert_eq!(rows, vec![0, 1]);
        r.insert(&[1, 9]);
        r.refresh_indexes();
        let first = r.probe(ix, hash_ids([1].into_iter()), |_| 1);
        assert_eq!((first, r.chain_next(ix, first), r.chain_next(ix, 1)), (0, 1, 3));
        assert_eq!(r.find(&[2, 3]), Some(2));
    }

    #[test]
    fn rows_loaded_out_of_key_order_are_found_at_their_rows() {
        let mut r = Relation::new(2);
        // Out of key order, with duplicates: the first of equal tuples is kept.
        let tuples: Vec<Id> = vec![5, 1, 2, 9, 5, 1, 0, 3, 2, 9, 7, 7, 1, 1];
        let mut kept = Vec::new();
        r.extend(&tuples, 7, |i| kept.push(i));
        assert_eq!(kept, vec![0, 1, 3, 5, 6]);
        assert_eq!(r.len(), 5);
        for row in 0..5u32 {
            let tuple = r.row(row).to_vec();
            assert_eq!(r.find(&tuple), Some(row), "{tuple:?}");
        }
        assert_eq!(r.find(&[9, 2]), None);
    }

    /// Removed rows leave membership and every index chain, keep their numbers, stay out of
    /// an index built later, and a removed tuple can be added again as a new row.
    #[test]
    fn removed_rows_leave_membership_and_chains() {
        for width in [2, 3] {
            let mut r = Relation::new(width);
            let rows: Vec<Id> = (0..12u32).flat_map(|i| [i % 3, i, 7].into_iter().take(width)).collect();
            r.extend(&rows, 12, |_| {});
            let by_first = r.index_for(&[0]);
            r.remove_rows(&[0, 3, 4, 11]);
            assert_eq!((r.len(), r.end(), r.dead_count()), (8, 12, 4));
            let chain = |r: &Relation, ix: usize, key: Id| {
                let mut rows = Vec::new();
                let mut at = r.probe(ix, hash_ids([key].into_iter()), |_| key);
                while at != CHAIN_END {
                    rows.push(at);
                    at = r.chain_next(ix, at);
                }
                rows
            };
            // Key 0: rows 0, 3, 6, 9; key 1: 1, 4, 7, 10; key 2: 2, 5, 8, 11.
            assert_eq!(chain(&r, by_first, 0), vec![6, 9]);
            assert_eq!(chain(&r, by_first, 1), vec![1, 7, 10]);
            assert_eq!(chain(&r, by_first, 2), vec![2, 5, 8]);
            let by_second = r.index_for(&[1]);
            assert_eq!(chain(&r, by_second, 3), Vec::<u32>::new());
            assert_eq!(chain(&r, by_second, 5), vec![5]);
            let tuple = r.row(3).to_vec();
            assert!(!r.contains(&tuple) && r.find(&tuple).is_none());
            assert_eq!(r.live_rows().collect::<Vec<_>>(), vec![1, 2, 5, 6, 7, 8, 9, 10]);
            assert!(r.insert(&tuple));
            r.refresh_indexes();
            assert_eq!((r.find(&tuple), chain(&r, by_first, 0)), (Some(12), vec![6, 9, 12]));
            // Every row of key 0 removed: its chain has no live row.
            r.remove_rows(&[6, 9, 12]);
            assert_eq!(chain(&r, by_first, 0), Vec::<u32>::new());
            assert_eq!(r.len(), 6);
        }
    }

    /// Rounds appended to a relation nothing indexes keep only the latest round as rows, and a
    /// relation that let go of its rows keeps none, base rows included; every row still reads,
    /// finds and has its height as in a relation that stores every row (one with an index),
    /// before and after its rows are stored, and after a deletion.
    #[test]
    fn rows_kept_only_in_runs_read_as_stored_rows() {
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = |n: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % n
        };
        for case in 0..40 {
            let width = 1 + (case % 2) as usize;
            let (mut compact, mut stored) = (Relation::new(width), Relation::new(width));
            let base: Vec<Id> = (0..next(20) as usize * width).map(|_| next(50) as Id).collect();
            let (mut kept, mut kept_released) = (Vec::new(), Vec::new());
            compact.extend(&base, base.len() / width, |i| kept.push(i));
            stored.extend(&base, base.len() / width, |_| {});
            stored.index_for(&[0]);
            // Keeps no rows: the base as a final evaluation loads a table, rows let go of again
            // now and then (between strata, in evaluation).
            let mut released = Relation::new(width);
            assert!(released.release_rows());
            released.extend_released(Arc::new(base.clone()), base.len() / width, |i| kept_released.push(i));
            assert_eq!(kept, kept_released, "case {case}");
            // Few rounds (rebuilt in blocks sorted by round) or many (each key to its row).
            for _ in 0..1 + next(if case % 4 < 2 { 12 } else { 600 }) {
                if next(3) == 0 {
                    released.release_rows();
                }
                for r in [&mut compact, &mut stored, &mut released] {
                    r.begin_round();
                }
                let mut tuples: Vec<Vec<Id>> =
                    (0..next(12)).map(|_| (0..width).map(|_| next(60) as Id).collect()).collect();
                for r in [&mut compact, &mut stored, &mut released] {
                    let mut candidates = Candidates::default();
                    for t in &tuples {
                        candidates.push(pack(t), r.runs().unwrap());
                    }
                    r.append_candidates(&mut candidates);
                    r.refresh_indexes();
                }
                tuples.clear();
            }
            let same = |a: &Relation, b: &Relation| {
                assert_eq!((a.len(), a.end(), a.rounds()), (b.len(), b.end(), b.rounds()));
                for row in b.live_rows() {
                    let tuple = b.row(row);
                    assert_eq!(a.row(row), tuple, "case {case} row {row}");
                    assert_eq!((a.find(tuple), a.height(row)), (Some(row), b.height(row)), "case {case}");
                }
            };
            // Derived rows are kept as rows only from the latest round on.
            assert_eq!(compact.rows_stored(), compact.end() == compact.rows_below(1), "case {case}");
            same(&compact, &stored);
            same(&released, &stored);
            assert!(released.release_rows() && released.rows_released());
            same(&released, &stored);
            // An index that reads rows stores them, and keeps them stored.
            let mut indexed = released.clone();
            indexed.index_for(&[0]);
            assert!(!indexed.release_rows() && indexed.rows_stored(), "case {case}");
            same(&indexed, &stored);
            let mut copy = compact.clone();
            copy.store_rows();
            assert!(copy.rows_stored());
            same(&copy, &stored);
            // A deletion stores the rows first, and takes out the same rows in both.
            let gone: Vec<u32> = stored.live_rows().filter(|_| next(4) == 0).collect();
            let tuples: Vec<Id> = gone.iter().flat_map(|&r| stored.row(r).to_vec()).collect();
            let mut taken = compact.remove_facts(&tuples, gone.len());
            taken.sort_unstable();
            assert_eq!(taken, gone, "case {case}");
            stored.remove_rows(&gone);
            same(&compact, &stored);
        }
    }

    #[test]
    fn sort_pairs_is_stable_by_key() {
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut pairs: Vec<KeyAt> = (0..5000u32)
            .map(|i| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                // Few distinct keys, so that equal keys are many.
                KeyAt::new(((state % 700) << 32) | ((state >> 40) % 3), i)
            })
            .collect();
        let mut expected: Vec<(u64, u32)> = pairs.iter().map(|p| (p.key(), p.pos())).collect();
        expected.sort();
        sort_pairs(&mut pairs);
        assert_eq!(pairs.iter().map(|p| (p.key(), p.pos())).collect::<Vec<_>>(), expected);
    }

    #[test]
    fn nullary_relation_holds_one_row() {
        let mut r = Relation::new(0);
        assert!(r.insert(&[]));
        assert!(!r.insert(&[]));
        assert_eq!(r.len(), 1);
        assert_eq!(r.find(&[]), Some(0));
    }
}
