//! Support for restrait's examples: an embedded demo API, so that every
//! example runs without a network, and local stand-ins for the GitHub and
//! Stripe endpoints the `github` and `stripe` examples call.

pub mod demo;
pub mod github_standin;
pub mod stripe_standin;
