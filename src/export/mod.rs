//! Letting other engines read govscan's data where it lies.

pub mod athena;
