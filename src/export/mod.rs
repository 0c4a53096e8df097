//! Writing logs and results out. One file per format; each appends rows to byte buffers so
//! formatting can run on worker threads and only the writing is sequential.
//! Not for: deciding what to write (the caller does) or where (see [`crate::output`]).

pub mod csv_log;
pub mod event_log;
pub mod manifest;
pub mod pm4py_csv;
pub mod scores;
pub mod tuning;
pub mod xes;
