// Resolves every *.localhost name to loopback in this process, as browsers
// do (and as Cognate's default hosted URLs, http://<prefix>.auth.localhost:<port>,
// expect); glibc's resolver, which Node's fetch uses, does not. Importing the
// module is enough.
import dns from 'node:dns';

const lookup = dns.lookup;
dns.lookup = function lookupLocalhost(hostname, options, callback) {
  if (typeof hostname === 'string' && hostname.toLowerCase().endsWith('.localhost')) {
    hostname = 'localhost';
  }
  return lookup.call(this, hostname, options, callback);
};
