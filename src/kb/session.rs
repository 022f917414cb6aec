//! Interactive changes to a knowledge base: assert, retract, save (used by the REPL).
