//! A tidy tree layout for boxes of different sizes (Reingold–Tilford, with contours).
//!
//! The tree grows left to right: every depth is a column as wide as its widest box, so boxes
//! of different depths never overlap; within a column, each subtree is pushed down just far
//! enough to clear the contour (the top and bottom of every depth) of the subtrees above it,
//! and a parent sits halfway between its first and last child.
//!
//! *Why our own:* the layout must keep the box geometry we draw (no two boxes overlap, a test
//! checks it), must not recurse on a proof's depth (`ARCHITECTURE.md`), and is 150 lines; the
//! tree-layout crates we looked at either recurse, place points rather than boxes of different
//! sizes, or bring a whole drawing stack.
//!
//! Contours are kept deepest level first with a pending shift, so moving a subtree is O(1),
//! adding a parent's level is a push, and merging two contours costs the shorter one: the
//! whole layout is linear in the number of nodes plus the sum of the merged contours.

/// A placed box: its top-left corner and size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Rect {
    /// Whether two boxes share interior points (touching edges do not count).
    ///
    /// ```
    /// use because::svg::Rect;
    /// let a = Rect { x: 0.0, y: 0.0, w: 10.0, h: 10.0 };
    /// assert!(a.overlaps(&Rect { x: 5.0, y: 5.0, w: 10.0, h: 10.0 }));
    /// assert!(!a.overlaps(&Rect { x: 10.0, y: 0.0, w: 10.0, h: 10.0 }));
    /// ```
    pub fn overlaps(&self, other: &Rect) -> bool {
        self.x < other.x + other.w
            && other.x < self.x + self.w
            && self.y < other.y + other.h
            && other.y < self.y + self.h
    }
}

/// The top and bottom of each depth below a subtree's root, deepest first, all to be moved
/// by `shift`.
struct Contour {
    levels: Vec<(f64, f64)>,
    shift: f64,
}

impl Contour {
    fn len(&self) -> usize {
        self.levels.len()
    }

    /// Top and bottom of level `i` counted from the subtree's root (0).
    fn at(&self, i: usize) -> (f64, f64) {
        let (top, bottom) = self.levels[self.levels.len() - 1 - i];
        (top + self.shift, bottom + self.shift)
    }

    fn set(&mut self, i: usize, (top, bottom): (f64, f64)) {
        let n = self.levels.len();
        self.levels[n - 1 - i] = (top - self.shift, bottom - self.shift);
    }
}

/// Lays out the forest under `roots` (each node's `children`, each box's `(width, height)`):
/// returns a box for every node reachable from a root, `None` for the others. `gap_x` separates
/// columns, `gap_y` boxes of one column. A node must have one parent (the caller draws the
/// links that make a graph out of the tree). The first box's top is at 0, the left column at 0.
///
/// ```
/// use because::svg::tidy_forest;
/// // 0 has children 1 and 2.
/// let children = vec![vec![1, 2], vec![], vec![]];
/// let boxes = tidy_forest(&[0], &children, &[(50.0, 20.0); 3], 30.0, 10.0);
/// let (a, b, c) = (boxes[0].unwrap(), boxes[1].unwrap(), boxes[2].unwrap());
/// assert_eq!((b.x, c.x), (80.0, 80.0));
/// assert_eq!(c.y - b.y, 30.0);
/// assert_eq!(a.y + a.h / 2.0, (b.y + c.y + c.h) / 2.0, "the parent is centred on its children");
/// ```
pub fn tidy_forest(
    roots: &[usize],
    children: &[Vec<usize>],
    sizes: &[(f64, f64)],
    gap_x: f64,
    gap_y: f64,
) -> Vec<Option<Rect>> {
    // 1. A virtual root above the given roots makes the forest one tree; its column is empty.
    let n = children.len();
    let virtual_root = n;
    let kids = |v: usize| if v == virtual_root { roots } else { &children[v][..] };
    let size = |v: usize| if v == virtual_root { (0.0, 0.0) } else { sizes[v] };
    // 2. Pre-order with depths (an explicit stack); children come after their parent.
    let mut order = Vec::new();
    let mut depth = vec![0usize; n + 1];
    let mut stack = vec![virtual_root];
    while let Some(v) = stack.pop() {
        order.push(v);
        for &c in kids(v).iter().rev() {
            depth[c] = depth[v] + 1;
            stack.push(c);
        }
    }
    // 3. Bottom-up: each subtree's contour, and each child's offset from its parent's centre.
    let mut contour: Vec<Option<Contour>> = (0..=n).map(|_| None).collect();
    let mut offset = vec![0.0f64; n + 1];
    for &v in order.iter().rev() {
        let h = size(v).1;
        let own = (-h / 2.0, h / 2.0);
        let cs = kids(v);
        let Some((&first, rest)) = cs.split_first() else {
            contour[v] = Some(Contour { levels: vec![own], shift: 0.0 });
            continue;
        };
        let mut merged = contour[first].take().unwrap_or(Contour { levels: Vec::new(), shift: 0.0 });
        let mut placed = vec![0.0];
        for &c in rest {
            let mut next = contour[c].take().unwrap_or(Contour { levels: Vec::new(), shift: 0.0 });
            // Push the next subtree down until it clears every common level.
            let common = merged.len().min(next.len());
            let mut push = f64::NEG_INFINITY;
            for i in 0..common {
                push = push.max(merged.at(i).1 - next.at(i).0 + gap_y);
            }
            let push = if push.is_finite() { push } else { 0.0 };
            next.shift += push;
            placed.push(push);
            // The merged contour: tops from above, bottoms from below, the rest from the
            // deeper of the two (whose vector is kept, so the copy costs the shorter one).
            if next.len() > merged.len() {
                for i in 0..common {
                    let (top, _) = merged.at(i);
                    let (_, bottom) = next.at(i);
                    next.set(i, (top, bottom));
                }
                merged = next;
            } else {
                for i in 0..common {
                    let (top, _) = merged.at(i);
                    let (_, bottom) = next.at(i);
                    merged.set(i, (top, bottom));
                }
            }
        }
        let mid = (placed[0] + placed[placed.len() - 1]) / 2.0;
        for (&c, p) in cs.iter().zip(&placed) {
            offset[c] = p - mid;
        }
        merged.shift -= mid;
        let s = merged.shift;
        merged.levels.push((own.0 - s, own.1 - s));
        contour[v] = Some(merged);
    }
    // 4. Columns: each depth as wide as its widest box.
    let max_depth = order.iter().map(|&v| depth[v]).max().unwrap_or(0);
    let mut width = vec![0.0f64; max_depth + 1];
    for &v in &order {
        width[depth[v]] = width[depth[v]].max(size(v).0);
    }
    let mut column_x = vec![0.0f64; max_depth + 1];
    for d in 1..=max_depth {
        // The virtual root's column (depth 0) takes no room.
        column_x[d] = if d == 1 { 0.0 } else { column_x[d - 1] + width[d - 1] + gap_x };
    }
    // 5. Top-down: absolute centres, then boxes with the first top at 0.
    let mut centre = vec![0.0f64; n + 1];
    for &v in &order {
        for &c in kids(v) {
            centre[c] = centre[v] + offset[c];
        }
    }
    let top = order
        .iter()
        .filter(|&&v| v != virtual_root)
        .map(|&v| centre[v] - size(v).1 / 2.0)
        .fold(f64::INFINITY, f64::min);
    let mut out = vec![None; n];
    for &v in &order {
        if v == virtual_root {
            continue;
        }
        let (w, h) = size(v);
        out[v] = Some(Rect { x: column_x[depth[v]], y: centre[v] - h / 2.0 - top, w, h });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_overlap(boxes: &[Option<Rect>]) {
        let placed: Vec<Rect> = boxes.iter().flatten().copied().collect();
        for (i, a) in placed.iter().enumerate() {
            for b in &placed[i + 1..] {
                assert!(!a.overlaps(b), "{a:?} overlaps {b:?}");
            }
        }
    }

    use proptest::prelude::*;
    use proptest::test_runner::Config;

    proptest! {
        #![proptest_config(Config { cases: 300, failure_persistence: None, ..Config::default() })]

        /// Random forests (each node's parent drawn among the nodes before it, or none) with
        /// random box sizes: every node is placed, no two boxes overlap, each child is one
        /// column right of its parent, and a parent is centred on its first and last child.
        #[test]
        fn random_forests_lay_out_without_overlaps(
            nodes in prop::collection::vec((any::<prop::sample::Index>(), 0u8..4, 5.0f64..120.0, 5.0f64..60.0), 1..60)
        ) {
            let n = nodes.len();
            let mut children = vec![Vec::new(); n];
            let mut roots = Vec::new();
            for (i, (pick, none, _, _)) in nodes.iter().enumerate() {
                if i == 0 || *none == 0 {
                    roots.push(i);
                } else {
                    children[pick.index(i)].push(i);
                }
            }
            let sizes: Vec<(f64, f64)> = nodes.iter().map(|&(_, _, w, h)| (w, h)).collect();
            let boxes = tidy_forest(&roots, &children, &sizes, 20.0, 4.0);
            prop_assert!(boxes.iter().all(Option::is_some));
            let placed: Vec<Rect> = boxes.iter().flatten().copied().collect();
            for (i, a) in placed.iter().enumerate() {
                for b in &placed[i + 1..] {
                    prop_assert!(!a.overlaps(b), "{:?} overlaps {:?}", a, b);
                }
            }
            for (p, kids) in children.iter().enumerate() {
                let (Some(first), Some(last)) = (kids.first(), kids.last()) else { continue };
                let parent = placed[p];
                for &c in kids {
                    prop_assert!(placed[c].x > parent.x + parent.w);
                }
                let centre = |r: Rect| r.y + r.h / 2.0;
                prop_assert!((centre(parent) - (centre(placed[*first]) + centre(placed[*last])) / 2.0).abs() < 1e-6);
            }
        }
    }

    #[test]
    fn a_deep_subtree_under_a_shallow_one_does_not_overlap() {
        // 0 -> 1 -> 3 -> 4 and 0 -> 2 -> 5, 6, 7, with tall boxes under 2.
        let children = vec![vec![1, 2], vec![3], vec![5, 6, 7], vec![4], vec![], vec![], vec![], vec![]];
        let sizes = [
            (40.0, 20.0),
            (40.0, 20.0),
            (40.0, 20.0),
            (40.0, 90.0),
            (40.0, 20.0),
            (40.0, 50.0),
            (40.0, 50.0),
            (40.0, 50.0),
        ];
        let boxes = tidy_forest(&[0], &children, &sizes, 10.0, 5.0);
        assert!(boxes.iter().all(Option::is_some));
        no_overlap(&boxes);
    }

    #[test]
    fn a_chain_of_100_000_lays_out_without_recursion() {
        let n = 100_000;
        let children: Vec<Vec<usize>> = (0..n).map(|i| if i + 1 < n { vec![i + 1] } else { vec![] }).collect();
        let boxes = tidy_forest(&[0], &children, &vec![(10.0, 10.0); n], 5.0, 5.0);
        assert_eq!(boxes[n - 1].map(|b| b.x), Some((n - 1) as f64 * 15.0));
    }

    #[test]
    fn unreachable_nodes_get_no_box_and_forests_stack() {
        let children = vec![vec![], vec![], vec![]];
        let boxes = tidy_forest(&[0, 2], &children, &[(10.0, 10.0); 3], 5.0, 5.0);
        assert!(boxes[1].is_none());
        assert_eq!((boxes[0].unwrap().y, boxes[2].unwrap().y), (0.0, 15.0));
    }
}
