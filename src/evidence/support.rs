//! What a conclusion rests on.
