//! Shared helpers live in each test file; this crate only groups the integration tests.
