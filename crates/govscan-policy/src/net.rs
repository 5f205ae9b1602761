//! IP addresses in CIDR blocks, for the `IpAddress` condition operator (and govscan's SQL
//! function `cidr_contains`, which is this function).

use std::net::IpAddr;

use ipnet::IpNet;

/// True if `ip` lies in `cidr` (IPv4 or IPv6; a bare address is a /32 or /128); `None` when
/// either side is not an address (CloudTrail's `sourceIPAddress` may be a service name such
/// as "AWS Internal"). An IPv4 block never holds an IPv6 address, nor the reverse.
pub fn cidr_contains(cidr: &str, ip: &str) -> Option<bool> {
    let ip: IpAddr = ip.trim().parse().ok()?;
    let cidr = cidr.trim();
    let net = match cidr.parse::<IpNet>() {
        Ok(net) => net,
        Err(_) => {
            let address: IpAddr = cidr.parse().ok()?;
            let host_prefix = if address.is_ipv4() { 32 } else { 128 };
            IpNet::new(address, host_prefix).ok()?
        }
    };
    Some(net.contains(&ip))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidr_membership_for_v4_and_v6_and_garbage() {
        assert_eq!(cidr_contains("10.0.0.0/8", "10.2.3.4"), Some(true));
        assert_eq!(cidr_contains("10.0.0.0/8", "11.0.0.1"), Some(false));
        assert_eq!(cidr_contains("0.0.0.0/0", "8.8.8.8"), Some(true));
        assert_eq!(cidr_contains("192.0.2.1", "192.0.2.1"), Some(true));
        assert_eq!(cidr_contains("192.0.2.1", "192.0.2.2"), Some(false));
        assert_eq!(cidr_contains(" 10.0.0.0/8 ", " 10.0.0.1"), Some(true));
        assert_eq!(cidr_contains("2001:db8::/32", "2001:db8:1::1"), Some(true));
        assert_eq!(cidr_contains("2001:db8::/32", "10.0.0.1"), Some(false));
        assert_eq!(cidr_contains("10.0.0.0/8", "::ffff:10.0.0.1"), Some(false));
        assert_eq!(cidr_contains("::/0", "2001:db8::1"), Some(true));
        // A block written with host bits set still means its network.
        assert_eq!(cidr_contains("10.1.2.3/8", "10.200.0.1"), Some(true));
        assert_eq!(cidr_contains("10.0.0.0/33", "10.0.0.1"), None);
        assert_eq!(cidr_contains("2001:db8::/129", "2001:db8::1"), None);
        assert_eq!(cidr_contains("nonsense", "10.0.0.1"), None);
        assert_eq!(cidr_contains("10.0.0.0/8", "AWS Internal"), None);
    }
}
