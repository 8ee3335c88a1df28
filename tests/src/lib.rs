//! End-to-end tests of Yizhan live in `tests/tests/`.
