//! Container image references as relation targets.
//!
//! `runs_image` points to `image:<normalised reference>`: the reference as a container runtime
//! resolves it, so that `nginx`, `docker.io/nginx` and `docker.io/library/nginx:latest` are one
//! node of the graph, whichever source (cluster, manifest, registry scan) names it.

/// `image:` + [`normalize_image`].
pub fn image_uid(reference: &str) -> String {
    format!("image:{}", normalize_image(reference))
}

/// Docker's reference normalisation: default registry `docker.io`, `library/` for official
/// images, tag `latest` when there is neither tag nor digest. Registry host names are lower-cased;
/// repository paths, tags and digests are kept as written.
pub fn normalize_image(reference: &str) -> String {
    let reference = reference.trim();
    let (name, digest) = match reference.split_once('@') {
        Some((n, d)) => (n, Some(d)),
        None => (reference, None),
    };
    let last_slash = name.rfind('/').map_or(0, |i| i + 1);
    let (repo, tag) = match name[last_slash..].rfind(':') {
        Some(i) => (&name[..last_slash + i], Some(&name[last_slash + i + 1..])),
        None => (name, None),
    };
    let (domain, path) = match repo.split_once('/') {
        Some((d, rest)) if d.contains('.') || d.contains(':') || d == "localhost" => {
            (d.to_ascii_lowercase(), rest.to_string())
        }
        _ => ("docker.io".to_string(), repo.to_string()),
    };
    let domain = if domain == "index.docker.io" { "docker.io".to_string() } else { domain };
    let path = if domain == "docker.io" && !path.contains('/') { format!("library/{path}") } else { path };
    let mut out = format!("{domain}/{path}");
    match (tag, digest) {
        (Some(t), _) => out.push_str(&format!(":{t}")),
        (None, None) => out.push_str(":latest"),
        (None, Some(_)) => {}
    }
    if let Some(d) = digest {
        out.push_str(&format!("@{d}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_normalise_like_a_container_runtime() {
        let cases = [
            ("nginx", "docker.io/library/nginx:latest"),
            ("nginx:1.27", "docker.io/library/nginx:1.27"),
            ("bitnami/redis:7.2", "docker.io/bitnami/redis:7.2"),
            ("index.docker.io/library/busybox", "docker.io/library/busybox:latest"),
            ("localhost:5000/tools/debug", "localhost:5000/tools/debug:latest"),
            ("Registry.Example.com:443/team/app:v2", "registry.example.com:443/team/app:v2"),
            ("ghcr.io/org/app@sha256:abc", "ghcr.io/org/app@sha256:abc"),
            ("quay.io/org/app:1.0@sha256:abc", "quay.io/org/app:1.0@sha256:abc"),
        ];
        for (given, expected) in cases {
            assert_eq!(normalize_image(given), expected, "{given}");
        }
        assert_eq!(image_uid("nginx:1.27"), "image:docker.io/library/nginx:1.27");
    }
}
