//! Sorted runs of packed keys: the membership structure of narrow relations (at most two
//! columns), whose tuples pack into one `u64` each.
//!
//! A relation's keys live in a few sorted vectors of geometrically decreasing length (a
//! log-structured merge of runs, as in Datafrog). Derived tuples are tested in bulk: a round's
//! candidates are radix-sorted, deduplicated, and filtered against each run with a galloping
//! merge, which reads every structure in order. A hash set of row numbers has to read the row
//! of every tuple already present, a cache miss each; here a present tuple costs a comparison.
//!
//! Explanations need the row of a tuple (its round is its height). Base rows are numbered
//! explicitly; a derived row is found through its round, kept per key in a byte or two,
//! because each round's rows are stored in key order.

use crate::value::Id;

/// Where the rows of a run's keys are.
#[derive(Debug, Clone)]
enum Rows {
    /// Candidate runs, before they become rows.
    Unnumbered,
    /// Base rows: the key at position `i` is row `start + i`.
    From(u32),
    /// Base rows: the row of each key.
    Each(Vec<u32>),
    /// Derived rows: the round of each key, as an offset from `first` (one byte per key while
    /// the run spans at most 256 rounds). A round's rows are stored in key order, so the row
    /// is a binary search within the round (see [`Place::Round`]).
    Rounds { first: u32, tags: Tags },
}

/// Round offsets, as narrow as the span of the run allows.
#[derive(Debug, Clone)]
enum Tags {
    U8(Vec<u8>),
    U16(Vec<u16>),
    U32(Vec<u32>),
}

impl Tags {
    /// No tags yet, as narrow as a run spanning `span` rounds allows.
    fn for_span(span: u32) -> Tags {
        if span <= 1 << 8 {
            Tags::U8(Vec::new())
        } else if span <= 1 << 16 {
            Tags::U16(Vec::new())
        } else {
            Tags::U32(Vec::new())
        }
    }

    fn get(&self, at: usize) -> u32 {
        match self {
            Tags::U8(t) => t[at] as u32,
            Tags::U16(t) => t[at] as u32,
            Tags::U32(t) => t[at],
        }
    }

    /// Sets `at`, which must be below the length (or equal to it, to append).
    fn set(&mut self, at: usize, tag: u32) {
        match self {
            Tags::U8(t) if at == t.len() => t.push(tag as u8),
            Tags::U8(t) => t[at] = tag as u8,
            Tags::U16(t) if at == t.len() => t.push(tag as u16),
            Tags::U16(t) => t[at] = tag as u16,
            Tags::U32(t) if at == t.len() => t.push(tag),
            Tags::U32(t) => t[at] = tag,
        }
    }

    fn len(&self) -> usize {
        match self {
            Tags::U8(t) => t.len(),
            Tags::U16(t) => t.len(),
            Tags::U32(t) => t.len(),
        }
    }

    fn resize(&mut self, len: usize) {
        fn exact<T: Copy + Default>(t: &mut Vec<T>, len: usize) {
            t.reserve_exact(len.saturating_sub(t.len()));
            t.resize(len, T::default());
        }
        match self {
            Tags::U8(t) => exact(t, len),
            Tags::U16(t) => exact(t, len),
            Tags::U32(t) => exact(t, len),
        }
    }

    /// The tags plus `shift`, in the width of `like` (which holds every result): the same
    /// vector, shifted in place, when it already has that width.
    fn rebased(self, shift: u32, like: &Tags) -> Tags {
        match (self, like) {
            (Tags::U8(mut t), Tags::U8(_)) => {
                t.iter_mut().for_each(|x| *x += shift as u8);
                Tags::U8(t)
            }
            (Tags::U16(mut t), Tags::U16(_)) => {
                t.iter_mut().for_each(|x| *x += shift as u16);
                Tags::U16(t)
            }
            (Tags::U32(mut t), Tags::U32(_)) => {
                t.iter_mut().for_each(|x| *x += shift);
                Tags::U32(t)
            }
            (narrower, _) => {
                let mut out = match like {
                    Tags::U8(_) => Tags::U8(Vec::with_capacity(narrower.len())),
                    Tags::U16(_) => Tags::U16(Vec::with_capacity(narrower.len())),
                    Tags::U32(_) => Tags::U32(Vec::with_capacity(narrower.len())),
                };
                for i in 0..narrower.len() {
                    out.set(i, narrower.get(i) + shift);
                }
                out
            }
        }
    }

    fn bytes_per_tag(&self) -> usize {
        match self {
            Tags::U8(_) => 1,
            Tags::U16(_) => 2,
            Tags::U32(_) => 4,
        }
    }

    fn heap_bytes(&self) -> usize {
        let capacity = match self {
            Tags::U8(t) => t.capacity(),
            Tags::U16(t) => t.capacity(),
            Tags::U32(t) => t.capacity(),
        };
        capacity * self.bytes_per_tag()
    }
}

/// Where a key found in a run lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    Row(u32),
    /// Among the rows of this round (of the relation's stratum), which are in key order.
    Round(u32),
}

/// One sorted run of distinct keys.
#[derive(Debug, Clone)]
pub struct Run {
    keys: Vec<u64>,
    rows: Rows,
}

impl Run {
    /// Base rows `start..`, whose keys are sorted and distinct.
    pub fn numbered_from(keys: Vec<u64>, start: u32) -> Run {
        debug_assert!(keys.windows(2).all(|w| w[0] < w[1]));
        Run { keys, rows: Rows::From(start) }
    }

    /// Base rows: keys and the row of each.
    pub fn numbered(keys: Vec<u64>, rows: Vec<u32>) -> Run {
        debug_assert!(keys.windows(2).all(|w| w[0] < w[1]) && keys.len() == rows.len());
        Run { keys, rows: Rows::Each(rows) }
    }

    /// The rows one round derived, stored in key order.
    pub fn of_round(keys: Vec<u64>, round: u32) -> Run {
        debug_assert!(keys.windows(2).all(|w| w[0] < w[1]));
        let mut tags = Tags::U8(Vec::new());
        tags.resize(keys.len());
        Run { keys, rows: Rows::Rounds { first: round, tags } }
    }

    fn unnumbered(keys: Vec<u64>) -> Run {
        Run { keys, rows: Rows::Unnumbered }
    }

    fn len(&self) -> usize {
        self.keys.len()
    }

    fn place(&self, at: usize) -> Place {
        match &self.rows {
            Rows::Unnumbered => Place::Row(u32::MAX),
            Rows::From(start) => Place::Row(start + at as u32),
            Rows::Each(rows) => Place::Row(rows[at]),
            Rows::Rounds { first, tags } => Place::Round(first + tags.get(at)),
        }
    }

    /// The last round of a derived run.
    fn last_round(&self) -> u32 {
        match &self.rows {
            Rows::Rounds { first, tags } => first + (0..tags.len()).map(|i| tags.get(i)).max().unwrap_or(0),
            _ => 0,
        }
    }

    /// Merges `later` into `self` in place, from the back, so the longer run is never copied
    /// into a second allocation. Both runs are of the same kind (candidates, base rows or
    /// derived rows).
    fn absorb(&mut self, later: Run) {
        let (la, lb) = (self.keys.len(), later.keys.len());
        // Where the merged rows go: explicit rows, round tags, or nothing.
        enum Out {
            None,
            Rows(Vec<u32>),
            Tags(u32, Tags),
        }
        let out = match std::mem::replace(&mut self.rows, Rows::Unnumbered) {
            Rows::Unnumbered => Out::None,
            Rows::From(start) => {
                let mut rows = Vec::with_capacity(la + lb);
                rows.extend(start..start + la as u32);
                Out::Rows(rows)
            }
            Rows::Each(rows) => Out::Rows(rows),
            Rows::Rounds { first, tags } => {
                let span = later.last_round().max(first) - first + 1;
                let mut needed = Tags::for_span(span);
                if needed.bytes_per_tag() > tags.bytes_per_tag() {
                    for i in 0..tags.len() {
                        needed.set(i, tags.get(i));
                    }
                    Out::Tags(first, needed)
                } else {
                    Out::Tags(first, tags)
                }
            }
        };
        let Run { keys: later_keys, rows: later_rows } = later;
        // Exact growth: doubling would leave up to half of a long run's keys unused.
        self.keys.reserve_exact(lb);
        self.keys.resize(la + lb, 0);
        let keys = &mut self.keys;
        self.rows = match out {
            Out::None => {
                merge_back(keys, la, &later_keys, &mut vec![(); la + lb], |_| ());
                Rows::Unnumbered
            }
            Out::Rows(mut rows) => {
                // The newer run's rows, once, so the merge loop below does not match per key.
                let later_rows: Vec<u32> = match later_rows {
                    Rows::From(start) => (start..start + lb as u32).collect(),
                    Rows::Each(rows) => rows,
                    Rows::Unnumbered | Rows::Rounds { .. } => vec![u32::MAX; lb],
                };
                rows.reserve_exact(lb);
                rows.resize(la + lb, 0);
                merge_back(keys, la, &later_keys, &mut rows, |j| later_rows[j]);
                Rows::Each(rows)
            }
            Out::Tags(first, mut tags) => {
                // The newer run's tags rebased on `first`, in the merged run's width, reusing
                // their own vector where the width is the same: no per-key match in the merge
                // loop, and no copy of the newer run's rounds beside it at the peak.
                let (later_first, later_tags) = match later_rows {
                    Rows::Rounds { first, tags } => (first, tags),
                    _ => (first, Tags::U8(vec![0; lb])),
                };
                let later_tags = later_tags.rebased(later_first - first, &tags);
                tags.resize(la + lb);
                match (&mut tags, &later_tags) {
                    (Tags::U8(t), Tags::U8(l)) => merge_back(keys, la, &later_keys, t, |j| l[j]),
                    (Tags::U16(t), Tags::U16(l)) => merge_back(keys, la, &later_keys, t, |j| l[j]),
                    (Tags::U32(t), Tags::U32(l)) => merge_back(keys, la, &later_keys, t, |j| l[j]),
                    _ => unreachable!("the newer run's tags were rebased to the merged run's width"),
                }
                Rows::Rounds { first, tags }
            }
        };
    }

    /// Takes out the keys of `dead` (sorted, distinct) that this run holds, with their rows or
    /// round tags, and drops them from `dead` (a key is in one run at most). Each found key's
    /// place goes to `places`. The keys are found by a galloping pass (see [`Gallop`]); what
    /// follows the first removed key moves down in blocks.
    fn take(&mut self, dead: &mut Vec<u64>, places: &mut Vec<(u64, Place)>) {
        let mut at = Vec::new();
        let mut gallop = Gallop::new(&self.keys, dead.len());
        dead.retain(|&k| {
            if gallop.seek(k) {
                at.push(gallop.at);
                false
            } else {
                true
            }
        });
        if at.is_empty() {
            return;
        }
        places.extend(at.iter().map(|&i| (self.keys[i], self.place(i))));
        if let Rows::From(start) = self.rows {
            self.rows = Rows::Each((start..start + self.keys.len() as u32).collect());
        }
        remove_at(&mut self.keys, &at);
        match &mut self.rows {
            Rows::Unnumbered | Rows::From(_) => {}
            Rows::Each(rows) => remove_at(rows, &at),
            Rows::Rounds { tags: Tags::U8(t), .. } => remove_at(t, &at),
            Rows::Rounds { tags: Tags::U16(t), .. } => remove_at(t, &at),
            Rows::Rounds { tags: Tags::U32(t), .. } => remove_at(t, &at),
        }
    }

    fn heap_bytes(&self) -> usize {
        self.keys.capacity() * 8
            + match &self.rows {
                Rows::Each(rows) => rows.capacity() * 4,
                Rows::Rounds { tags, .. } => tags.heap_bytes(),
                Rows::Unnumbered | Rows::From(_) => 0,
            }
    }
}

/// Removes the items at positions `at` (sorted, distinct) from `v`, moving each block between
/// two of them down once.
fn remove_at<T: Copy>(v: &mut Vec<T>, at: &[usize]) {
    let Some(&first) = at.first() else { return };
    let mut write = first;
    for (k, &pos) in at.iter().enumerate() {
        let next = at.get(k + 1).copied().unwrap_or(v.len());
        v.copy_within(pos + 1..next, write);
        write += next - pos - 1;
    }
    v.truncate(write);
}

/// Merges the sorted keys of `later` into `keys`, whose first `la` entries are a sorted run and
/// whose length is already `la + later.len()`, from the back (so nothing is overwritten before
/// it is read). Each key's payload moves with it: `payload[..la]` belongs to the first run,
/// `later_payload(j)` to `later[j]`.
fn merge_back<P: Copy>(
    keys: &mut [u64],
    la: usize,
    later: &[u64],
    payload: &mut [P],
    later_payload: impl Fn(usize) -> P,
) {
    // A plain branch per key: a long run merged with one an eighth of its length takes from
    // the long run several times in a row, which the branch predictor follows (a select per
    // key, without the branch, made the 8M-path chain slower, 1.35 s to 1.6 s of CPU).
    let (mut i, mut j, mut k) = (la, later.len(), keys.len());
    while j > 0 {
        k -= 1;
        if i > 0 && keys[i - 1] > later[j - 1] {
            i -= 1;
            keys[k] = keys[i];
            payload[k] = payload[i];
        } else {
            j -= 1;
            keys[k] = later[j];
            payload[k] = later_payload(j);
        }
    }
}

/// Sorted runs whose keys are pairwise distinct, longest (oldest) first; each run is at least
/// twice as long as the next, so there are at most log2(n) of them.
#[derive(Debug, Clone, Default)]
pub struct Runs {
    runs: Vec<Run>,
}

impl Runs {
    /// Adds a run of keys that are in no other run.
    pub fn push(&mut self, run: Run) {
        if run.keys.is_empty() {
            return;
        }
        self.runs.push(run);
        while let [.., a, b] = &self.runs[..] {
            if a.len() > 8 * b.len() {
                break;
            }
            self.merge_last();
        }
    }

    fn merge_last(&mut self) {
        if let Some(last) = self.runs.pop() {
            match self.runs.last_mut() {
                Some(prev) => prev.absorb(last),
                None => self.runs.push(last),
            }
        }
    }

    /// Merges every run into one, for relations that are complete: a lookup is then one
    /// binary search.
    pub fn compact(&mut self) {
        while self.runs.len() > 1 {
            self.merge_last();
        }
    }

    /// Where `key` is, if present.
    pub fn find(&self, key: u64) -> Option<Place> {
        self.runs.iter().find_map(|run| run.keys.binary_search(&key).ok().map(|at| run.place(at)))
    }

    /// Whether `key` is present.
    pub fn contains(&self, key: u64) -> bool {
        self.runs.iter().any(|run| run.keys.binary_search(&key).is_ok())
    }

    /// Keeps the candidates (sorted, distinct) that are in no run.
    pub fn retain_absent(&self, candidates: &mut Vec<u64>) {
        for run in &self.runs {
            if candidates.is_empty() {
                return;
            }
            retain_absent(candidates, |&c| c, &run.keys);
        }
    }

    pub fn len(&self) -> usize {
        self.runs.iter().map(Run::len).sum()
    }

    /// Takes out the keys of `dead` (sorted, distinct) that some run holds, dropping them from
    /// `dead`; each one's place goes to `places`. Runs left empty are dropped.
    pub fn take(&mut self, dead: &mut Vec<u64>, places: &mut Vec<(u64, Place)>) {
        for run in &mut self.runs {
            if dead.is_empty() {
                break;
            }
            run.take(dead, places);
        }
        self.runs.retain(|run| !run.keys.is_empty());
    }

    pub fn is_empty(&self) -> bool {
        self.runs.is_empty()
    }

    /// The keys of each run.
    pub fn iter(&self) -> impl Iterator<Item = &[u64]> {
        self.runs.iter().map(|run| &run.keys[..])
    }

    /// Calls `f(row, key)` for each key of the runs that number their rows (base rows).
    pub fn for_each_row_key(&self, mut f: impl FnMut(u32, u64)) {
        for run in &self.runs {
            match &run.rows {
                Rows::From(start) => (*start..).zip(&run.keys).for_each(|(row, &key)| f(row, key)),
                Rows::Each(rows) => rows.iter().zip(&run.keys).for_each(|(&row, &key)| f(row, key)),
                Rows::Unnumbered | Rows::Rounds { .. } => {}
            }
        }
    }

    /// Calls `f(round, key)` for each key of the derived runs, run by run, each in key order.
    pub fn for_each_round_key(&self, mut f: impl FnMut(u32, u64)) {
        fn each<T: Copy + Into<u32>>(keys: &[u64], tags: &[T], first: u32, f: &mut impl FnMut(u32, u64)) {
            for (&key, &tag) in keys.iter().zip(tags) {
                f(first + tag.into(), key);
            }
        }
        for run in &self.runs {
            if let Rows::Rounds { first, tags } = &run.rows {
                match tags {
                    Tags::U8(t) => each(&run.keys, t, *first, &mut f),
                    Tags::U16(t) => each(&run.keys, t, *first, &mut f),
                    Tags::U32(t) => each(&run.keys, t, *first, &mut f),
                }
            }
        }
    }

    pub fn heap_bytes(&self) -> usize {
        self.runs.iter().map(Run::heap_bytes).sum::<usize>() + self.runs.capacity() * size_of::<Run>()
    }

    /// Bytes of the keys themselves.
    pub fn key_bytes(&self) -> usize {
        self.runs.iter().map(|run| run.keys.capacity() * 8).sum()
    }

    /// Bytes of explicit row numbers (base runs whose rows were not in key order).
    pub fn row_number_bytes(&self) -> usize {
        self.runs.iter().map(|run| if let Rows::Each(rows) = &run.rows { rows.capacity() * 4 } else { 0 }).sum()
    }

    /// Bytes of round tags (derived runs).
    pub fn tag_bytes(&self) -> usize {
        self.runs.iter().map(|run| if let Rows::Rounds { tags, .. } = &run.rows { tags.heap_bytes() } else { 0 }).sum()
    }

    /// All keys in one sorted vector, emptying the runs.
    fn into_keys(mut self) -> Vec<u64> {
        self.compact();
        self.runs.pop().map_or_else(Vec::new, |run| run.keys)
    }
}

/// The membership of a narrow relation: runs of base rows and runs of derived rows, which
/// never merge with each other (they number their rows differently), and, when the keys fill
/// enough of the box of values they span, a bitmap of that box ([`Dense`]).
#[derive(Debug, Clone, Default)]
pub struct Narrow {
    // Private, so that every key enters through `push_base` or `push_derived` and leaves
    // through `take`, which keep the bitmap exactly the runs' keys.
    base: Runs,
    derived: Runs,
    /// Exactly the keys of the runs, when present.
    dense: Option<Dense>,
    /// How many keys the runs held when a bitmap was last considered.
    dense_tried: usize,
}

impl Narrow {
    pub fn find(&self, key: u64) -> Option<Place> {
        if self.dense.as_ref().is_some_and(|d| !d.contains(key)) {
            return None;
        }
        self.derived.find(key).or_else(|| self.base.find(key))
    }

    #[inline]
    pub fn contains(&self, key: u64) -> bool {
        match &self.dense {
            Some(d) => d.contains(key),
            None => self.derived.contains(key) || self.base.contains(key),
        }
    }

    /// Adds a run of base keys that are in no run yet.
    pub fn push_base(&mut self, run: Run) {
        self.note_keys(&run.keys);
        let added = run.keys.len();
        self.base.push(run);
        self.consider_dense(added);
    }

    /// Adds a run of derived keys that are in no run yet.
    pub fn push_derived(&mut self, run: Run) {
        self.note_keys(&run.keys);
        let added = run.keys.len();
        self.derived.push(run);
        self.consider_dense(added);
    }

    /// Sets the bits of new keys; a key outside the bitmap's box drops the bitmap.
    fn note_keys(&mut self, keys: &[u64]) {
        if let Some(d) = &mut self.dense {
            if !keys.iter().all(|&k| d.insert(k)) {
                self.dense = None;
            }
        }
    }

    /// Builds the bitmap when the keys fill at least an eighth of the box they span (at most a
    /// byte per key) and the run just added brought at least a 256th of them, looking again
    /// each time the keys have doubled. Rounds that add few keys (a chain's, one per node) have
    /// few candidates, which gallop through the runs cheaply: the bitmap would not pay there.
    fn consider_dense(&mut self, added: usize) {
        let len = self.base.len() + self.derived.len();
        if self.dense.is_some() || len < Dense::MIN_KEYS || len < 2 * self.dense_tried || added * 256 < len {
            return;
        }
        self.dense_tried = len;
        let runs = || self.base.iter().chain(self.derived.iter());
        let (mut a_lo, mut a_hi, mut b_lo, mut b_hi) = (u32::MAX, 0u32, u32::MAX, 0u32);
        for keys in runs() {
            if let (Some(&first), Some(&last)) = (keys.first(), keys.last()) {
                a_lo = a_lo.min((first >> 32) as u32);
                a_hi = a_hi.max((last >> 32) as u32);
            }
            for &k in keys {
                b_lo = b_lo.min(k as u32);
                b_hi = b_hi.max(k as u32);
            }
        }
        let cells = (u64::from(a_hi - a_lo) + 1) * (u64::from(b_hi - b_lo) + 1);
        if cells > 8 * len as u64 || cells > Dense::MAX_CELLS {
            return;
        }
        let mut dense = Dense {
            a_lo,
            a_span: u64::from(a_hi - a_lo) + 1,
            b_lo,
            b_span: u64::from(b_hi - b_lo) + 1,
            bits: vec![0; cells.div_ceil(64) as usize],
        };
        for keys in runs() {
            for &k in keys {
                dense.insert(k);
            }
        }
        self.dense = Some(dense);
    }

    /// Takes out the keys of `dead` (sorted, distinct), each with its place; the keys no run
    /// holds are left in `dead`.
    pub fn take(&mut self, dead: &mut Vec<u64>) -> Vec<(u64, Place)> {
        let mut places = Vec::with_capacity(dead.len());
        self.derived.take(dead, &mut places);
        self.base.take(dead, &mut places);
        if let Some(d) = &mut self.dense {
            for &(key, _) in &places {
                d.remove(key);
            }
        }
        places
    }

    /// Keeps the candidates (sorted, distinct) that are in no run.
    pub fn retain_absent(&self, candidates: &mut Vec<u64>) {
        if let Some(d) = &self.dense {
            candidates.retain(|&k| !d.contains(k));
            return;
        }
        self.derived.retain_absent(candidates);
        self.base.retain_absent(candidates);
    }

    /// The runs of base keys.
    pub fn base(&self) -> &Runs {
        &self.base
    }

    /// The runs of derived keys.
    pub fn derived(&self) -> &Runs {
        &self.derived
    }

    /// The bitmap, if the relation keeps one.
    pub fn dense(&self) -> Option<&Dense> {
        self.dense.as_ref()
    }

    /// The keys of every run.
    pub fn iter(&self) -> impl Iterator<Item = &[u64]> {
        self.base.iter().chain(self.derived.iter())
    }

    /// Whether `key` is present, each run searched by galloping from where `cursor` left it
    /// when `key` is not below the key it was left at (else from the start): lookups in
    /// increasing key order, as a scan of rows stored in key order makes them, read each run
    /// once, in order, instead of a binary search per run and key.
    pub fn contains_near(&self, key: u64, cursor: &mut Cursor) -> bool {
        if let Some(d) = &self.dense {
            return d.contains(key);
        }
        cursor.seek(self.base.runs.len() + self.derived.runs.len(), key);
        let mut found = false;
        for (run, at) in self.base.runs.iter().chain(&self.derived.runs).zip(cursor.at.iter_mut()) {
            let pos = gallop(&run.keys, *at, |k| k < key);
            *at = pos;
            found |= run.keys.get(pos) == Some(&key);
        }
        found
    }
}

impl Narrow {
    /// How many keys of a two-column relation have `first` in their first column, each run
    /// searched by galloping from where `cursor` left it (as [`Narrow::contains_near`]): the
    /// out-degrees of nodes taken in increasing order read each run once, in order.
    pub fn count_first_near(&self, first: Id, cursor: &mut Cursor) -> usize {
        let lo = u64::from(first) << 32;
        cursor.seek(self.base.runs.len() + self.derived.runs.len(), lo);
        let mut count = 0;
        for (run, at) in self.base.runs.iter().chain(&self.derived.runs).zip(cursor.at.iter_mut()) {
            let keys = &run.keys;
            let start = gallop(keys, *at, |k| k < lo);
            let end = gallop(keys, start, |k| k >> 32 <= u64::from(first));
            *at = start;
            count += end - start;
        }
        count
    }
}

impl Narrow {
    /// The keys of a two-column relation with `first` in their first column, as a range of
    /// positions in each run (in the order of [`Narrow::iter`]) written to `out`; each run
    /// searched by galloping from where `cursor` left it. `None`, and the cursor unmoved, when
    /// `first` is below the last one looked up (the lookups are not in increasing order) or
    /// the runs outnumber `out`: the caller then asks an index.
    pub fn first_ranges_near(&self, first: Id, cursor: &mut Cursor, out: &mut [(usize, usize)]) -> Option<usize> {
        let lo = u64::from(first) << 32;
        let n_runs = self.base.runs.len() + self.derived.runs.len();
        if n_runs > out.len() || (cursor.at.len() == n_runs && lo < cursor.key) {
            return None;
        }
        cursor.seek(n_runs, lo);
        for ((run, at), range) in
            self.base.runs.iter().chain(&self.derived.runs).zip(cursor.at.iter_mut()).zip(out.iter_mut())
        {
            let start = gallop(&run.keys, *at, |k| k < lo);
            *range = (start, gallop(&run.keys, start, |k| k >> 32 <= u64::from(first)));
            *at = start;
        }
        Some(n_runs)
    }
}

/// The first position from `at` on whose key fails `below` (which holds for a prefix of
/// `keys`), found by galloping from `at`.
fn gallop(keys: &[u64], at: usize, below: impl Fn(u64) -> bool) -> usize {
    // Every key before `lo` holds `below`; the first that does not lies in `lo..=hi`.
    let (mut lo, mut hi, mut step) = (at, at, 1);
    while hi < keys.len() && below(keys[hi]) {
        lo = hi + 1;
        hi += step;
        step *= 2;
    }
    let hi = hi.min(keys.len());
    lo + keys[lo..hi].partition_point(|&k| below(k))
}

/// A bitmap over the box of keys a narrow relation spans (first column `a_lo..a_lo + a_span`,
/// second `b_lo..b_lo + b_span`; a one-column key is all second column): a membership test is
/// one bit, where the runs take a search in each. Kept only while it costs at most a byte per
/// key (the keys fill an eighth of the box), as the node pairs of a graph's closure do.
#[derive(Clone)]
pub struct Dense {
    a_lo: u32,
    a_span: u64,
    b_lo: u32,
    b_span: u64,
    bits: Vec<u64>,
}

/// The box only: the bits are the runs' keys again.
impl std::fmt::Debug for Dense {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Dense({}+{} x {}+{})", self.a_lo, self.a_span, self.b_lo, self.b_span)
    }
}

impl Dense {
    /// Fewer keys than this are searched in their runs, which stay in cache.
    const MIN_KEYS: usize = 1 << 12;
    /// At most 512 MiB of bits.
    const MAX_CELLS: u64 = 1 << 32;

    #[inline]
    fn cell(&self, key: u64) -> Option<usize> {
        let a = u64::from(((key >> 32) as u32).wrapping_sub(self.a_lo));
        let b = u64::from((key as u32).wrapping_sub(self.b_lo));
        (a < self.a_span && b < self.b_span).then(|| (a * self.b_span + b) as usize)
    }

    #[inline]
    pub fn contains(&self, key: u64) -> bool {
        self.cell(key).is_some_and(|c| self.bits[c / 64] & (1 << (c % 64)) != 0)
    }

    /// Sets `key`'s bit; false if it lies outside the box.
    fn insert(&mut self, key: u64) -> bool {
        match self.cell(key) {
            Some(c) => {
                self.bits[c / 64] |= 1 << (c % 64);
                true
            }
            None => false,
        }
    }

    fn remove(&mut self, key: u64) {
        if let Some(c) = self.cell(key) {
            self.bits[c / 64] &= !(1 << (c % 64));
        }
    }

    pub fn heap_bytes(&self) -> usize {
        self.bits.capacity() * 8
    }
}

/// Where [`Narrow::contains_near`] left each run of a relation, and the key it looked up.
#[derive(Debug, Clone, Default)]
pub struct Cursor {
    key: u64,
    at: Vec<usize>,
}

impl Cursor {
    /// Readies the cursor to look up `key` in `n_runs` runs: from the start of each when the
    /// runs changed or `key` is below the key looked up last.
    fn seek(&mut self, n_runs: usize, key: u64) {
        if self.at.len() != n_runs || key < self.key {
            self.at.clear();
            self.at.resize(n_runs, 0);
        }
        self.key = key;
    }
}

impl Narrow {
    pub fn heap_bytes(&self) -> usize {
        self.base.heap_bytes() + self.derived.heap_bytes() + self.dense.as_ref().map_or(0, Dense::heap_bytes)
    }
}

/// Keeps the items whose key is not in `run`. Items and run are sorted by key. Each item
/// searches from where the previous one stopped, starting as far on as the recent items moved
/// (a running average of their steps; at first, what is left of the run over the items left),
/// and galloping from there in whichever direction the key lies: candidates scattered over a
/// long run then touch a cache line or two each, and a dense list reads the run once, in
/// order.
///
/// Why the recent steps rather than an even spread of what is left: a chain's round has one
/// candidate per source node, each just past the end of its node's keys, while the run also
/// holds the keys of nodes that no candidate reaches (the longest paths). An even spread then
/// overshoots by those keys over the candidates left, up to a thousand keys per guess at 8M
/// paths, and the search back costs a cache miss a step; the recent steps are the group sizes
/// themselves.
pub fn retain_absent<T>(items: &mut Vec<T>, key: impl Fn(&T) -> u64, run: &[u64]) {
    let mut gallop = Gallop::new(run, items.len());
    items.retain(|item| !gallop.seek(key(item)));
}

/// A search for increasing keys in a sorted run, each from where the previous one stopped
/// (see [`retain_absent`] for how it guesses the step).
pub struct Gallop<'a> {
    run: &'a [u64],
    /// The first position whose key is not below the last key sought.
    pub at: usize,
    /// The expected step, in keys of the run.
    step_guess: usize,
}

impl<'a> Gallop<'a> {
    /// A search of `run` for about `items` keys.
    pub fn new(run: &'a [u64], items: usize) -> Gallop<'a> {
        Gallop { run, at: 0, step_guess: run.len() / items.max(1) }
    }

    /// Moves to the first key not below `k` (not below the previous key sought); whether it
    /// is `k`.
    pub fn seek(&mut self, k: u64) -> bool {
        let rest = &self.run[self.at..];
        let guess = self.step_guess.min(rest.len().saturating_sub(1));
        // The first position in `rest` whose key is not below `k`, within (lo, hi].
        let (lo, hi) = if rest.get(guess).is_some_and(|&x| x < k) {
            let mut step = 1;
            let mut lo = guess;
            while lo + step < rest.len() && rest[lo + step] < k {
                lo += step;
                step *= 2;
            }
            (lo + 1, (lo + step).min(rest.len()))
        } else {
            let mut step = 1;
            let mut hi = guess;
            while hi >= step && rest[hi - step] >= k {
                hi -= step;
                step *= 2;
            }
            (hi.saturating_sub(step - 1).min(hi), hi)
        };
        let moved = lo + rest[lo..hi].partition_point(|&x| x < k);
        self.at += moved;
        self.step_guess = (self.step_guess + moved) / 2;
        self.run.get(self.at) == Some(&k)
    }
}

/// The packed key of a narrow tuple; keys order like the tuples, column by column.
#[inline]
pub fn pack(tuple: &[Id]) -> u64 {
    match *tuple {
        [] => 0,
        [a] => a as u64,
        // Only narrow relations pack their tuples: there is no third column.
        [a, b, ..] => (a as u64) << 32 | b as u64,
    }
}

/// Writes the columns of a packed key into `out`, which holds as many as the key has (at most
/// two).
#[inline]
pub fn unpack_to(key: u64, out: &mut [Id]) {
    match out {
        [] => {}
        [a] => *a = key as Id,
        [a, b, ..] => {
            *a = (key >> 32) as Id;
            *b = key as Id;
        }
    }
}

/// Appends the columns of a packed key of `width` columns.
#[inline]
pub fn unpack(key: u64, width: usize, out: &mut Vec<Id>) {
    match width {
        0 => {}
        1 => out.push(key as Id),
        _ => out.extend([(key >> 32) as Id, key as Id]),
    }
}

/// Sorts keys with a least-significant-digit radix sort over the bits that vary (two passes
/// for the ids of up to 4M nodes, four for pairs of them), using `scratch` as the second
/// buffer.
pub fn sort_keys(keys: &mut Vec<u64>, scratch: &mut Vec<u64>) {
    if keys.len() < 256 {
        keys.sort_unstable();
        return;
    }
    radix_sort_by(keys, scratch, |&k| k);
}

/// Sorts `items` by `key`, equal keys in the order they come: a least-significant-digit radix
/// sort in digits of [`RADIX_BITS`] bits, each starting at the lowest bit that varies and is not
/// sorted yet, so bits that no two keys differ in cost no pass (the constant top bit of an
/// inline integer id, the zero high bits of small ids).
pub(crate) fn radix_sort_by<T: Copy + Default>(items: &mut Vec<T>, scratch: &mut Vec<T>, key: impl Fn(&T) -> u64) {
    let (mut or, mut and) = (0u64, u64::MAX);
    for item in items.iter() {
        let k = key(item);
        or |= k;
        and &= k;
    }
    let varying = or ^ and;
    scratch.clear();
    scratch.resize(items.len(), T::default());
    let mut shift = 0u32;
    while shift < 64 && varying >> shift != 0 {
        shift += (varying >> shift).trailing_zeros();
        let digit = |item: &T| ((key(item) >> shift) & ((1 << RADIX_BITS) - 1)) as usize;
        let mut offsets = [0u32; 1 << RADIX_BITS];
        for item in items.iter() {
            offsets[digit(item)] += 1;
        }
        let mut sum = 0;
        for offset in offsets.iter_mut() {
            let c = *offset;
            *offset = sum;
            sum += c;
        }
        for &item in items.iter() {
            let d = digit(&item);
            scratch[offsets[d] as usize] = item;
            offsets[d] += 1;
        }
        std::mem::swap(items, scratch);
        shift += RADIX_BITS;
    }
}

/// Bits per radix digit: 2,048 counters (8 KiB) stay in the first-level cache, and fewer passes
/// over the data than with bytes.
const RADIX_BITS: u32 = 11;

/// The candidate keys of one relation in one round: collected unsorted, then in chunks sorted,
/// deduplicated and filtered against the relation and against earlier chunks, so that what
/// is kept is exactly the round's new tuples.
#[derive(Debug, Default)]
pub struct Candidates {
    fresh: Vec<u64>,
    scratch: Vec<u64>,
    kept: Runs,
    /// How many keys `kept` holds.
    kept_len: usize,
    /// How many candidates are collected before a chunk is filtered, beyond [`Self::CHUNK`]:
    /// a 32nd of the relation (see [`Candidates::filter`]).
    chunk: usize,
    /// The most new facts this round may add (the fact limit less what is derived): the
    /// fresh keys are filtered as soon as they pass it, so a round that would overshoot
    /// stops near the limit instead of buffering every candidate.
    pub limit: Option<usize>,
}

impl Candidates {
    /// How many candidates are collected at least before a chunk is filtered (512 KiB of keys).
    const CHUNK: usize = 1 << 16;
    /// ... and at most (16 MiB).
    const MAX_CHUNK: usize = 1 << 21;

    #[inline]
    pub fn push(&mut self, key: u64, full: &Narrow) {
        self.fresh.push(key);
        if self.fresh.len() >= self.chunk.max(Self::CHUNK) || self.limit.is_some_and(|l| self.fresh.len() > l) {
            self.filter(full);
        }
    }

    /// More new keys than the limit: the round must stop.
    pub fn over(&self) -> bool {
        self.limit.is_some_and(|l| self.kept_len > l)
    }

    fn filter(&mut self, full: &Narrow) {
        if self.fresh.is_empty() {
            return;
        }
        match full.dense() {
            // One bit per candidate, then only the new ones sorted.
            Some(d) => {
                self.fresh.retain(|&k| !d.contains(k));
                sort_keys(&mut self.fresh, &mut self.scratch);
                self.fresh.dedup();
            }
            None => {
                sort_keys(&mut self.fresh, &mut self.scratch);
                self.fresh.dedup();
                full.retain_absent(&mut self.fresh);
            }
        }
        // Each chunk gallops through every run of the relation: chunks of a fixed size over
        // a relation of millions meet a key every few hundred, a cache miss or more each. A
        // 32nd of the relation keeps the steps short (a few keys, read in order) for half a
        // byte per key of the relation in buffers (the chunk and the sort's second buffer).
        self.chunk = ((full.base.len() + full.derived.len()) / 32).min(Self::MAX_CHUNK);
        self.kept.retain_absent(&mut self.fresh);
        self.kept_len += self.fresh.len();
        self.kept.push(Run::unnumbered(self.fresh.to_vec()));
        self.fresh.clear();
    }

    /// The round's new keys, sorted; leaves `self` empty for the next round.
    pub fn finish(&mut self, full: &Narrow) -> Vec<u64> {
        self.filter(full);
        self.scratch = Vec::new();
        self.kept_len = 0;
        std::mem::take(&mut self.kept).into_keys()
    }

    pub fn is_empty(&self) -> bool {
        self.fresh.is_empty() && self.kept.runs.is_empty()
    }

    /// Adds the candidates another thread collected in the same round.
    pub fn absorb(&mut self, mut other: Candidates, full: &Narrow) {
        let mut keys = other.finish(full);
        self.kept.retain_absent(&mut keys);
        self.kept_len += keys.len();
        self.kept.push(Run::unnumbered(keys));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn radix_sort_sorts_any_keys() {
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut keys: Vec<u64> = (0..5000)
            .map(|i| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                if i % 3 == 0 { state } else { state & 0xFFF_0000_0FFF }
            })
            .collect();
        let mut want = keys.clone();
        want.sort_unstable();
        sort_keys(&mut keys, &mut Vec::new());
        assert_eq!(keys, want);
    }

    /// Pseudo-random numbers below the bound given at each call (xorshift, a fixed seed).
    fn below() -> impl FnMut(u64) -> u64 {
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        move |n| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % n
        }
    }

    /// With or without its bitmap, a narrow relation's membership is exactly the keys added
    /// and not taken out: the bitmap appears once the keys fill an eighth of their box, goes
    /// when a key falls outside the box, and comes back when the keys have doubled.
    #[test]
    fn membership_with_a_bitmap_is_the_keys_held() {
        use std::collections::BTreeSet;
        let mut next = below();
        for case in 0..6 {
            let mut narrow = Narrow::default();
            let mut held = BTreeSet::new();
            let (mut had_bitmap, mut round) = (false, 0);
            // Node pairs of 0..120 (a box of 14,400 cells), later a few far outside it.
            for step in 0..40 {
                let far = step == 25 && case % 2 == 0;
                let mut keys: Vec<u64> = (0..next(700))
                    .map(|_| {
                        let (a, b) = (next(120), next(120));
                        if far { ((a + 5000) << 32) | b } else { (a << 32) | b }
                    })
                    .filter(|k| !held.contains(k))
                    .collect();
                keys.sort_unstable();
                keys.dedup();
                held.extend(keys.iter().copied());
                if step % 5 == 0 {
                    narrow.push_base(Run::numbered_from(keys, 0));
                } else {
                    narrow.push_derived(Run::of_round(keys, round));
                    round += 1;
                }
                if step % 7 == 6 {
                    let mut dead: Vec<u64> = held.iter().copied().filter(|_| next(9) == 0).collect();
                    let places = narrow.take(&mut dead);
                    assert!(dead.is_empty(), "case {case}");
                    for (k, _) in places {
                        held.remove(&k);
                    }
                }
                had_bitmap |= narrow.dense().is_some();
                for probe in 0..400u64 {
                    let k = if probe % 2 == 0 {
                        (next(130) << 32) | next(130)
                    } else {
                        ((next(130) + 5000) << 32) | next(130)
                    };
                    assert_eq!(narrow.contains(k), held.contains(&k), "case {case} step {step} key {k:#x}");
                    assert_eq!(narrow.find(k).is_some(), held.contains(&k), "case {case} step {step}");
                }
                let mut candidates: Vec<u64> = (0..300).map(|_| (next(125) << 32) | next(125)).collect();
                candidates.sort_unstable();
                candidates.dedup();
                let want: Vec<u64> = candidates.iter().copied().filter(|k| !held.contains(k)).collect();
                narrow.retain_absent(&mut candidates);
                assert_eq!(candidates, want, "case {case} step {step}");
            }
            assert!(had_bitmap, "case {case}: the keys fill their box, a bitmap was kept");
        }
    }

    #[test]
    fn taking_keys_out_leaves_the_others_and_their_rows() {
        let mut next = below();
        for case in 0..50 {
            let mut runs = Runs::default();
            let mut all: Vec<(u64, u32)> = Vec::new();
            for r in 0..1 + next(40) as u32 {
                // A run of distinct keys not in any earlier run, rows numbered from 1,000 r.
                let mut keys: Vec<u64> = (0..next(300)).map(|_| next(20_000)).collect();
                keys.sort_unstable();
                keys.dedup();
                keys.retain(|k| !all.iter().any(|&(a, _)| a == *k));
                all.extend(keys.iter().enumerate().map(|(i, &k)| (k, 1000 * r + i as u32)));
                runs.push(Run::numbered_from(keys, 1000 * r));
            }
            // Dead keys: some present, some not; sometimes dense, sometimes sparse.
            let spread = if case % 2 == 0 { 20_000 } else { 500 };
            let mut dead: Vec<u64> = (0..next(400)).map(|_| next(spread)).collect();
            dead.sort_unstable();
            dead.dedup();
            let want_left: Vec<u64> = dead.iter().copied().filter(|k| !all.iter().any(|a| a.0 == *k)).collect();
            let mut places = Vec::new();
            runs.take(&mut dead, &mut places);
            assert_eq!(dead, want_left, "the keys no run holds stay");
            for &(k, place) in &places {
                let row = all.iter().find(|a| a.0 == k).map(|a| a.1);
                assert_eq!(Some(place), row.map(Place::Row), "key {k}");
            }
            for &(k, row) in &all {
                let taken = places.iter().any(|p| p.0 == k);
                assert_eq!(runs.find(k), (!taken).then_some(Place::Row(row)), "key {k}");
            }
            assert_eq!(runs.len(), all.len() - places.len());
        }
    }

    #[test]
    fn runs_stay_few_and_find_rows() {
        let mut runs = Runs::default();
        for r in 0..100u32 {
            // Round r derives keys r, r + 100, r + 200 at rows 3r..3r+3.
            runs.push(Run::numbered_from(vec![r as u64, r as u64 + 100, r as u64 + 200], 3 * r));
        }
        assert!(runs.runs.len() <= 8, "{} runs", runs.runs.len());
        assert_eq!(runs.len(), 300);
        assert_eq!(runs.find(142), Some(Place::Row(3 * 42 + 1)));
        assert_eq!(runs.find(300), None);
        let mut candidates = vec![5, 150, 299, 300, 1000];
        runs.retain_absent(&mut candidates);
        assert_eq!(candidates, vec![300, 1000]);
        runs.compact();
        assert_eq!(runs.runs.len(), 1);
        assert_eq!(runs.find(7), Some(Place::Row(21)));
    }

    #[test]
    fn derived_runs_keep_the_round_of_each_key_across_widening() {
        let mut runs = Runs::default();
        for round in 0..700u32 {
            runs.push(Run::of_round(vec![round as u64 * 2, round as u64 * 2 + 1], round));
        }
        runs.compact();
        assert_eq!(runs.runs.len(), 1);
        assert!(matches!(&runs.runs[0].rows, Rows::Rounds { tags: Tags::U16(_), .. }));
        for round in [0u32, 1, 255, 256, 257, 699] {
            assert_eq!(runs.find(round as u64 * 2 + 1), Some(Place::Round(round)));
        }
        assert!(runs.contains(1398) && !runs.contains(1400));
    }

    #[test]
    fn candidates_keep_each_new_key_once() {
        let mut full = Narrow::default();
        full.base.push(Run::numbered_from(vec![2, 4, 6], 0));
        let mut c = Candidates::default();
        for k in [9, 2, 3, 9, 4, 3, 11] {
            c.push(k, &full);
        }
        c.filter(&full);
        for k in [3, 12, 6, 9] {
            c.push(k, &full);
        }
        assert_eq!(c.finish(&full), vec![3, 9, 11, 12]);
        assert!(c.is_empty());
    }

    #[test]
    fn retain_absent_matches_a_set_difference() {
        let mut next = below();
        for case in 0..300 {
            let m = [10, 1000, 100_000][case % 3];
            let mut run: Vec<u64> = (0..next(2000)).map(|_| next(m)).collect();
            run.sort_unstable();
            run.dedup();
            let mut items: Vec<u64> = (0..next(500)).map(|_| next(m)).collect();
            items.sort_unstable();
            items.dedup();
            let want: Vec<u64> = items.iter().copied().filter(|x| run.binary_search(x).is_err()).collect();
            retain_absent(&mut items, |&x| x, &run);
            assert_eq!(items, want, "case {case}");
        }
    }

    use std::collections::BTreeMap;

    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Rounds of candidates, some already present and some repeated, go through
        /// `Candidates` and become derived runs: the runs hold exactly the keys a `BTreeMap`
        /// holds, each with the round that first derived it, whatever the merges did.
        #[test]
        fn runs_and_candidates_match_a_btreemap(
            rounds in prop::collection::vec(
                (prop::collection::vec(0u64..3000, 0..400), 1u64..40, prop::bool::ANY),
                1..60,
            ),
            base in prop::collection::vec(0u64..3000, 0..200),
            probes in prop::collection::vec(0u64..3100, 0..200),
        ) {
            let mut reference: BTreeMap<u64, Option<u32>> = BTreeMap::new();
            let mut narrow = Narrow::default();
            let mut base_keys = base.clone();
            base_keys.sort_unstable();
            base_keys.dedup();
            for &k in &base_keys {
                reference.insert(k, None);
            }
            narrow.base.push(Run::numbered_from(base_keys, 0));
            for (round, (keys, stride, spread)) in rounds.iter().enumerate() {
                let mut candidates = Candidates::default();
                // Spread keys over the key space (as a pair's first column does) or keep
                // them dense.
                let key = |k: u64| if *spread { (k % 50) << 32 | (k * stride) } else { k * stride };
                for &k in keys {
                    candidates.push(key(k), &narrow);
                }
                let new = candidates.finish(&narrow);
                let mut want: Vec<u64> = keys.iter().map(|&k| key(k)).filter(|k| !reference.contains_key(k)).collect();
                want.sort_unstable();
                want.dedup();
                prop_assert_eq!(&new, &want);
                for &k in &new {
                    reference.insert(k, Some(round as u32));
                }
                narrow.derived.push(Run::of_round(new, round as u32));
            }
            let mut all: Vec<u64> = narrow.iter().flatten().copied().collect();
            all.sort_unstable();
            prop_assert_eq!(all, reference.keys().copied().collect::<Vec<_>>());
            for (&k, &round) in &reference {
                match round {
                    Some(round) => prop_assert_eq!(narrow.find(k), Some(Place::Round(round))),
                    None => prop_assert!(matches!(narrow.find(k), Some(Place::Row(_)))),
                }
            }
            let mut absent: Vec<u64> = probes.iter().map(|&p| p * 7).collect();
            absent.sort_unstable();
            absent.dedup();
            let want: Vec<u64> = absent.iter().copied().filter(|k| !reference.contains_key(k)).collect();
            for &k in &absent {
                prop_assert_eq!(narrow.contains(k), reference.contains_key(&k));
            }
            narrow.retain_absent(&mut absent);
            prop_assert_eq!(absent, want);
        }
    }

    #[test]
    fn contains_near_agrees_with_contains() {
        let mut narrow = Narrow::default();
        let mut below = below();
        let mut next = || below(5000);
        for round in 0..6u32 {
            let mut keys: Vec<u64> = (0..300).map(|_| next()).collect();
            keys.sort_unstable();
            keys.dedup();
            narrow.retain_absent(&mut keys);
            narrow.derived.push(Run::of_round(keys, round));
        }
        let mut cursor = Cursor::default();
        // Increasing runs of lookups, and jumps back.
        let mut probes: Vec<u64> = (0..5000).step_by(3).collect();
        probes.extend((0..2000).map(|_| next()));
        probes.extend(0..5001);
        for key in probes {
            assert_eq!(narrow.contains_near(key, &mut cursor), narrow.contains(key), "{key}");
        }
    }

    #[test]
    fn count_first_near_counts_a_node_s_keys() {
        let mut narrow = Narrow::default();
        let mut below = below();
        let mut next = || below(u64::MAX);
        for round in 0..5u32 {
            let mut keys: Vec<u64> = (0..400).map(|_| pack(&[(next() % 50) as Id, (next() % 40) as Id])).collect();
            keys.sort_unstable();
            keys.dedup();
            narrow.retain_absent(&mut keys);
            narrow.derived.push(Run::of_round(keys, round));
        }
        let all: Vec<u64> = narrow.iter().flatten().copied().collect();
        let mut cursor = Cursor::default();
        let firsts: Vec<Id> = (0..52).chain((0..60).map(|_| (next() % 52) as Id)).collect();
        for first in firsts {
            let expected = all.iter().filter(|&&k| (k >> 32) as Id == first).count();
            assert_eq!(narrow.count_first_near(first, &mut cursor), expected, "{first}");
        }
    }

    #[test]
    fn first_ranges_near_finds_a_node_s_keys_in_increasing_order() {
        let mut narrow = Narrow::default();
        for (round, keys) in
            [vec![(1, 2), (1, 5), (3, 1), (7, 7)], vec![(0, 9), (1, 3), (7, 1)], vec![(1, 4)]].into_iter().enumerate()
        {
            let keys: Vec<u64> = keys.into_iter().map(|(a, b)| pack(&[a, b])).collect();
            narrow.derived.push(Run::of_round(keys, round as u32));
        }
        let mut cursor = Cursor::default();
        let mut ranges = [(0, 0); 4];
        let seconds = |narrow: &Narrow, ranges: &[(usize, usize)]| {
            let mut out: Vec<u64> = narrow
                .iter()
                .zip(ranges)
                .flat_map(|(keys, &(s, e))| keys[s..e].iter().map(|k| k & 0xffff_ffff))
                .collect();
            out.sort_unstable();
            out
        };
        for (first, expected) in [(0, vec![9]), (1, vec![2, 3, 4, 5]), (2, vec![]), (7, vec![1, 7]), (8, vec![])] {
            let n = narrow.first_ranges_near(first, &mut cursor, &mut ranges).unwrap();
            assert_eq!(seconds(&narrow, &ranges[..n]), expected, "{first}");
        }
        // Back to a smaller node: the caller asks an index.
        assert_eq!(narrow.first_ranges_near(1, &mut cursor, &mut ranges), None);
        assert_eq!(narrow.first_ranges_near(1, &mut cursor, &mut [(0, 0); 1]), None);
    }

    #[test]
    fn gallop_handles_edges() {
        let run: Vec<u64> = (0..100).map(|i| i * 2).collect();
        let mut items: Vec<u64> = (0..210).collect();
        retain_absent(&mut items, |&x| x, &run);
        let want: Vec<u64> = (0..210).filter(|x| x % 2 == 1 || *x >= 200).collect();
        assert_eq!(items, want);
        let mut none: Vec<u64> = vec![1, 2];
        retain_absent(&mut none, |&x| x, &[]);
        assert_eq!(none, vec![1, 2]);
    }
}
