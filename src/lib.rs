//! `because`: a rule-based knowledge graph that answers *why*.
//!
//! Facts with citations and Datalog rules go in; answers come out with proof trees that end
//! in cited source facts. See `ARCHITECTURE.md` for the map of modules.

pub mod ast;
pub mod check;
pub mod diag;
pub mod eval;
pub mod explain;
pub mod graph;
pub mod kb;
pub mod load;
pub mod output;
pub mod program;
pub mod repl;
pub mod source;
pub mod syntax;
pub mod value;
