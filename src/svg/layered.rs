//! A layered layout for graph views: breadth-first layers as columns, ordered to cross less.
//!
//! 1. Each connected component gets layers by breadth-first distance from its first node in
//!    the caller's order of preference (a neighbourhood's centre, a path's start, else the
//!    most linked entity), so a neighbourhood reads as rings from left to right.
//! 2. Within a layer, nodes are ordered by the barycentre of their neighbours in the layer
//!    before, then after (four sweeps each way), which removes most crossings.
//! 3. Layers are columns as wide as their widest box; boxes are stacked in a column with a gap
//!    and columns are centred on each other; components are stacked top to bottom.
//!
//! Boxes never overlap by construction: one column per layer, one row per node in a column.
//!
//! *Why layered rather than force-directed:* the result is deterministic and needs no
//! iteration budget or overlap removal, the layers carry meaning (hops from the centre), and it
//! is 120 lines; the Rust force-directed crates we looked at return points, not boxes, and
//! need overlap removal on top.

use super::tidy::Rect;

/// Lays out `sizes.len()` boxes linked by undirected `edges`; `prefer` names the nodes to start
/// components from, in order (the rest go by number of links, then index). Returns one box
/// per node.
///
/// ```
/// use because::svg::layered;
/// let boxes = layered(&[(30.0, 20.0); 3], &[(0, 1), (1, 2)], &[1], 40.0, 10.0);
/// assert_eq!(boxes[1].x, 0.0, "the preferred node is in the first layer");
/// assert_eq!((boxes[0].x, boxes[2].x), (70.0, 70.0));
/// ```
pub fn layered(sizes: &[(f64, f64)], edges: &[(usize, usize)], prefer: &[usize], gap_x: f64, gap_y: f64) -> Vec<Rect> {
    let n = sizes.len();
    let mut adjacent: Vec<Vec<usize>> = vec![Vec::new(); n];
    for &(a, b) in edges {
        if a != b && a < n && b < n {
            adjacent[a].push(b);
            adjacent[b].push(a);
        }
    }
    for list in &mut adjacent {
        list.sort_unstable();
        list.dedup();
    }
    let mut starts: Vec<usize> = prefer.iter().copied().filter(|&p| p < n).collect();
    let mut by_links: Vec<usize> = (0..n).collect();
    by_links.sort_by_key(|&v| (std::cmp::Reverse(adjacent[v].len()), v));
    starts.extend(by_links);
    let mut out = vec![Rect { x: 0.0, y: 0.0, w: 0.0, h: 0.0 }; n];
    let mut seen = vec![false; n];
    // Per node, shared by all components (a component only reads its own nodes' entries), so
    // many small components cost no more than one large one.
    let mut layer_of = vec![usize::MAX; n];
    let mut position = vec![0.0f64; n];
    let mut top = 0.0;
    for start in starts {
        if seen[start] {
            continue;
        }
        // 1. Breadth-first layers of this component.
        let mut layers: Vec<Vec<usize>> = vec![vec![start]];
        seen[start] = true;
        loop {
            let mut next = Vec::new();
            for &v in layers.last().map(Vec::as_slice).unwrap_or_default() {
                for &w in &adjacent[v] {
                    if !seen[w] {
                        seen[w] = true;
                        next.push(w);
                    }
                }
            }
            if next.is_empty() {
                break;
            }
            layers.push(next);
        }
        // 2. Barycentre sweeps (each costs the component's links, whatever the number of layers).
        for (l, layer) in layers.iter().enumerate() {
            for &v in layer {
                layer_of[v] = l;
            }
        }
        let number = |layer: &[usize], position: &mut [f64]| {
            for (i, &v) in layer.iter().enumerate() {
                position[v] = i as f64;
            }
        };
        for layer in &layers {
            number(layer, &mut position);
        }
        for sweep in 0..8 {
            let down = sweep % 2 == 0;
            let indices: Vec<usize> =
                if down { (1..layers.len()).collect() } else { (0..layers.len().saturating_sub(1)).rev().collect() };
            for l in indices {
                let other = if down { l - 1 } else { l + 1 };
                let key = |v: usize| {
                    let (sum, count) = adjacent[v]
                        .iter()
                        .filter(|&&w| layer_of[w] == other)
                        .fold((0.0, 0usize), |(sum, count), &w| (sum + position[w], count + 1));
                    if count == 0 { position[v] } else { sum / count as f64 }
                };
                let mut keyed: Vec<(f64, f64, usize)> = layers[l].iter().map(|&v| (key(v), position[v], v)).collect();
                keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
                layers[l] = keyed.into_iter().map(|(_, _, v)| v).collect();
                number(&layers[l], &mut position);
            }
        }
        // 3. Coordinates: columns, stacked boxes, columns centred on the tallest.
        let heights: Vec<f64> = layers
            .iter()
            .map(|l| l.iter().map(|&v| sizes[v].1).sum::<f64>() + gap_y * l.len().saturating_sub(1) as f64)
            .collect();
        let tallest = heights.iter().copied().fold(0.0, f64::max);
        let mut x = 0.0;
        for (layer, height) in layers.iter().zip(&heights) {
            let width = layer.iter().map(|&v| sizes[v].0).fold(0.0, f64::max);
            let mut y = top + (tallest - height) / 2.0;
            for &v in layer {
                let (w, h) = sizes[v];
                out[v] = Rect { x: x + (width - w) / 2.0, y, w, h };
                y += h + gap_y;
            }
            x += width + gap_x;
        }
        top += tallest + 2.0 * gap_y;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    use proptest::prelude::*;
    use proptest::test_runner::Config;

    proptest! {
        #![proptest_config(Config { cases: 300, failure_persistence: None, ..Config::default() })]

        /// Random graphs (self-links and parallel links included) with random box sizes: every
        /// node gets its own size and no two boxes overlap.
        #[test]
        fn random_graphs_lay_out_without_overlaps(
            sizes in prop::collection::vec((5.0f64..150.0, 5.0f64..50.0), 1..40),
            edges in prop::collection::vec((0usize..40, 0usize..40), 0..80),
        ) {
            let n = sizes.len();
            let edges: Vec<(usize, usize)> = edges.into_iter().map(|(a, b)| (a % n, b % n)).collect();
            let boxes = layered(&sizes, &edges, &[], 30.0, 6.0);
            prop_assert_eq!(boxes.len(), n);
            for (i, a) in boxes.iter().enumerate() {
                prop_assert_eq!((a.w, a.h), sizes[i]);
                for b in &boxes[i + 1..] {
                    prop_assert!(!a.overlaps(b), "{:?} overlaps {:?}", a, b);
                }
            }
        }
    }

    #[test]
    fn components_stack_and_nothing_overlaps() {
        let sizes: Vec<(f64, f64)> = (0..12).map(|i| (20.0 + i as f64 * 3.0, 10.0 + (i % 3) as f64 * 5.0)).collect();
        let edges = [(0, 1), (0, 2), (0, 3), (1, 4), (2, 4), (3, 5), (6, 7), (7, 8), (8, 6), (9, 9)];
        let boxes = layered(&sizes, &edges, &[], 30.0, 8.0);
        for (i, a) in boxes.iter().enumerate() {
            for b in &boxes[i + 1..] {
                assert!(!a.overlaps(b), "{a:?} overlaps {b:?}");
            }
        }
        assert!(boxes[6].y > boxes[5].y + boxes[5].h, "the second component is below the first");
    }

    #[test]
    fn a_chain_of_100_000_lays_out_one_layer_each() {
        let n = 100_000;
        let edges: Vec<(usize, usize)> = (1..n).map(|i| (i - 1, i)).collect();
        let boxes = layered(&vec![(10.0, 10.0); n], &edges, &[0], 5.0, 5.0);
        assert_eq!(boxes[n - 1].x, (n - 1) as f64 * 15.0);
    }

    #[test]
    fn a_100_000_isolated_nodes_stack() {
        let n = 100_000;
        let boxes = layered(&vec![(10.0, 10.0); n], &[], &[], 5.0, 5.0);
        assert_eq!(boxes[n - 1].y, (n - 1) as f64 * 20.0);
    }

    #[test]
    fn crossings_are_removed_in_a_ladder() {
        // 0 - {1, 2}; 1 - 4, 2 - 3: the barycentre puts 4 before 3.
        let boxes = layered(&[(10.0, 10.0); 5], &[(0, 1), (0, 2), (1, 4), (2, 3)], &[0], 10.0, 5.0);
        assert!((boxes[1].y < boxes[2].y) == (boxes[4].y < boxes[3].y));
    }
}
