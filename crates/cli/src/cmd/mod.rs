pub mod demo;
pub mod findings;
pub mod inventory;
pub mod rules;
pub mod scan;
pub mod scans;
pub mod score;
