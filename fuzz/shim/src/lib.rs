//! Stands in for `libfuzzer-sys` when the test suite compiles the fuzz targets on stable
//! (the main crate's dev-dependency `libfuzzer-sys` is this crate): `fuzz_target!` turns the
//! target's body into `pub fn run(data: &[u8])`, and `arbitrary` is the same crate libFuzzer
//! hands out, so each target file builds unchanged in both places.

pub use arbitrary;

/// The body of a fuzz target as a function the corpus tests call.
#[macro_export]
macro_rules! fuzz_target {
    (|$data:ident: &[u8]| $body:block) => {
        pub fn run($data: &[u8]) $body
    };
    (|$data:ident: $dty:ty| $body:block) => {
        pub fn run(bytes: &[u8]) {
            use $crate::arbitrary::{Arbitrary, Unstructured};
            if let Ok($data) = <$dty as Arbitrary>::arbitrary_take_rest(Unstructured::new(bytes)) {
                $body
            }
        }
    };
}
