//! Fuzzes the XES importer (plain and gzipped input): any bytes give an import or an input
//! error, never a panic.
#![no_main]

mod common;

use dealsim::import::xes::Xes;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    common::run("log.xes", data, |path| {
        Box::new(Xes {
            path,
            zone: Default::default(),
            rule: Default::default(),
        })
    });
});
