//! Pins the size of the hot data structures: a change here moves the memory per
//! pending event or per node at a million nodes, so it must be deliberate.

#[test]
fn a_pending_message_event_stays_small() {
    let bytes = gossim_sim::runner::pending_event_bytes();
    println!("pending event: {bytes} bytes");
    assert!(bytes <= 40, "{bytes}");
}
