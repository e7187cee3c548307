//! The genesis state: how many accounts exist and what each holds before the first
//! transaction.
//!
//! Not here: balances after transactions (each node derives its own view in
//! [`crate::NodeLedger`]).

use crate::tx::AccountId;
use serde::{Deserialize, Serialize};

/// Initial balances: `default_balance` for every account in `0..accounts`, except
/// those listed in `overrides`.
///
/// `overrides` must be sorted by account with no account twice ([`Genesis::new`]
/// guarantees it; [`Genesis::validate`] checks a hand-built value), because
/// [`Genesis::balance`] binary-searches it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Genesis {
    pub accounts: u32,
    pub default_balance: u64,
    pub overrides: Vec<(AccountId, u64)>,
}

/// Why a [`Genesis`] is unusable.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum GenesisError {
    /// `overrides` is not strictly increasing by account.
    #[error("genesis overrides must be sorted by account with no duplicates (at position {position})")]
    UnsortedOverrides { position: usize },
    /// An override names an account outside `0..accounts`.
    #[error("genesis override for account {account} but only {accounts} accounts exist")]
    AccountOutOfRange { account: AccountId, accounts: u32 },
}

impl Genesis {
    /// A genesis whose overrides are sorted; for an account listed twice the last
    /// entry wins.
    pub fn new(accounts: u32, default_balance: u64, mut overrides: Vec<(AccountId, u64)>) -> Self {
        // A stable sort keeps input order among equal accounts, so "last wins" holds
        // after keeping the last of each run.
        overrides.sort_by_key(|&(account, _)| account);
        let mut deduped: Vec<(AccountId, u64)> = Vec::with_capacity(overrides.len());
        for entry in overrides {
            match deduped.last_mut() {
                Some(last) if last.0 == entry.0 => *last = entry,
                _ => deduped.push(entry),
            }
        }
        Genesis { accounts, default_balance, overrides: deduped }
    }

    /// Checks the invariants [`Genesis::balance`] relies on.
    pub fn validate(&self) -> Result<(), GenesisError> {
        for (position, pair) in self.overrides.windows(2).enumerate() {
            if pair[0].0 >= pair[1].0 {
                return Err(GenesisError::UnsortedOverrides { position: position + 1 });
            }
        }
        if let Some(&(account, _)) = self.overrides.iter().find(|(a, _)| *a >= self.accounts) {
            return Err(GenesisError::AccountOutOfRange { account, accounts: self.accounts });
        }
        Ok(())
    }

    /// True when `account` exists.
    pub fn has_account(&self, account: AccountId) -> bool {
        account < self.accounts
    }

    /// The genesis balance of `account`; 0 for an account that does not exist.
    pub fn balance(&self, account: AccountId) -> u64 {
        if !self.has_account(account) {
            return 0;
        }
        match self.overrides.binary_search_by_key(&account, |&(a, _)| a) {
            Ok(i) => self.overrides[i].1,
            Err(_) => self.default_balance,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_replace_the_default_and_the_last_duplicate_wins() {
        let genesis = Genesis::new(10, 100, vec![(7, 5), (2, 0), (7, 9)]);
        assert_eq!(genesis.validate(), Ok(()));
        assert_eq!(genesis.balance(0), 100);
        assert_eq!(genesis.balance(2), 0);
        assert_eq!(genesis.balance(7), 9);
        assert_eq!(genesis.balance(10), 0, "accounts outside the range hold nothing");
    }

    #[test]
    fn validate_reports_unsorted_and_out_of_range_overrides() {
        let unsorted = Genesis { accounts: 10, default_balance: 1, overrides: vec![(3, 1), (1, 1)] };
        assert_eq!(unsorted.validate(), Err(GenesisError::UnsortedOverrides { position: 1 }));
        let outside = Genesis { accounts: 2, default_balance: 1, overrides: vec![(5, 1)] };
        assert_eq!(outside.validate(), Err(GenesisError::AccountOutOfRange { account: 5, accounts: 2 }));
    }
}
