#ifndef DF2NINJA_PORT_H
#define DF2NINJA_PORT_H

struct err;
struct strv;

/*
 * an EXPOSE word, checked and normalised for the image config's
 * ExposedPorts the way Docker's parsePortSpec does:
 * [ip:][hostport:]port[-port][/proto]. Appends "N/proto" to out for every
 * port of the container range (proto lower-cased, "tcp" when missing).
 * A malformed spec is an error saying which part is bad ("invalid proto:
 * ...", "invalid containerPort: ...") and appends nothing.
 */
int port_parse(const char *spec, struct strv *out, struct err **errp);

#endif
