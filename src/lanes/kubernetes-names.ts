/**
 * Kubernetes names for the Gateway API export: what the API server accepts (DNS-1035 labels for Services, DNS-1123
 * labels for namespaces, subdomains for other objects' names, Gateway API host names), and the one rule by which a
 * library's service and version become a backend Service's name: the operator's template (`{service}-{version}` by
 * default) with each value in lower case and its `.` and `_` turned into `-`. A name that still breaks the rules is
 * refused with the reason, never repaired further (two versions must never fold into one Service silently).
 */

/** A Service's name (DNS-1035 label): a letter first, then letters, digits and `-`, not ending in `-`; 63 at most. */
export const DNS_1035_LABEL = /^[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** A namespace (DNS-1123 label): like a DNS-1035 label, but it may start with a digit. */
export const DNS_1123_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * Most objects' names (DNS-1123 subdomain: dot-separated DNS-1123 labels, 253 characters at most); a Gateway API
 * `Hostname` without a wildcard is the same.
 */
const DNS_1123_SUBDOMAIN =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

/** A backend name template: lower-case letters, digits, `-` and the placeholders `{service}` and `{version}`. */
export const BACKEND_NAME_TEMPLATE = /^(?:[a-z0-9-]|\{service\}|\{version\}){1,63}$/;

export const DEFAULT_BACKEND_NAME = '{service}-{version}';

/** Whether `name` may name an HTTPRoute (or any object whose name is a DNS-1123 subdomain). */
export function isObjectName(name: string): boolean {
  return DNS_1123_SUBDOMAIN.test(name);
}

/** Whether `host` may be an HTTPRoute's host name. */
export function isGatewayHostname(host: string): boolean {
  return DNS_1123_SUBDOMAIN.test(host);
}

/** A library value (service, version) as it goes into a Kubernetes name: lower case, `.` and `_` as `-`. */
export function kubernetesPart(value: string): string {
  return value.toLowerCase().replaceAll(/[._]/g, '-');
}

/**
 * The backend Service name of `service@version` by `template`, or why there is none. The result is a DNS-1035
 * label or an error naming the value that broke it.
 */
export function backendServiceName(
  template: string,
  service: string,
  version: string,
): { ok: true; name: string } | { ok: false; problem: string } {
  const name = template
    .replaceAll('{service}', kubernetesPart(service))
    .replaceAll('{version}', kubernetesPart(version));
  if (DNS_1035_LABEL.test(name)) return { ok: true, name };
  const why =
    name.length > 63
      ? `${name.length} characters, 63 at most`
      : !/^[a-z]/.test(name)
        ? 'it must start with a letter'
        : name.endsWith('-')
          ? 'it must not end with "-"'
          : 'only lower-case letters, digits and "-" are allowed';
  return {
    ok: false,
    problem: `${service}@${version}: backend name ${JSON.stringify(name)} (from --backend-name ${JSON.stringify(template)}) is not a Kubernetes Service name: ${why}`,
  };
}
