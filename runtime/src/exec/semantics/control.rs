//! The control instructions whose meaning needs no executor state.

use super::TrapCode;

/// `unreachable`: always traps.
#[inline]
pub fn unreachable() -> Result<(), TrapCode> {
    Err(TrapCode::Unreachable)
}

/// `nop`: does nothing.
#[inline]
pub fn nop() {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unreachable_traps() {
        assert_eq!(unreachable(), Err(TrapCode::Unreachable));
    }

    #[test]
    fn nop_does_nothing() {
        nop();
    }
}
