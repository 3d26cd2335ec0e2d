#include <errno.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "probe.h"

static void
nla_put(struct nlmsghdr *h, unsigned short type, const void *data, size_t len)
{
	struct nlattr *a = (struct nlattr *)((char *)h + NLMSG_ALIGN(h->nlmsg_len));

	a->nla_type = type;
	a->nla_len = (unsigned short)(NLA_HDRLEN + len);
	if (len)
		memcpy((char *)a + NLA_HDRLEN, data, len);
	h->nlmsg_len = NLMSG_ALIGN(h->nlmsg_len) + NLA_ALIGN(a->nla_len);
}

static struct nlattr *
nla_begin(struct nlmsghdr *h, unsigned short type)
{
	struct nlattr *a = (struct nlattr *)((char *)h + NLMSG_ALIGN(h->nlmsg_len));

	nla_put(h, type, NULL, 0);
	return a;
}

static void
nla_end(struct nlmsghdr *h, struct nlattr *a)
{
	a->nla_len = (unsigned short)((char *)h + h->nlmsg_len - (char *)a);
}

/* send h on rtnetlink socket s and return the kernel's errno (0: done) */
static int
nl_talk(int s, struct nlmsghdr *h)
{
	char buf[4096];
	struct nlmsghdr *r = (struct nlmsghdr *)buf;
	ssize_t n;

	if (send(s, h, h->nlmsg_len, 0) < 0)
		return errno;
	n = recv(s, buf, sizeof(buf), 0);
	if (n < 0)
		return errno;
	if (!NLMSG_OK(r, (size_t)n) || r->nlmsg_type != NLMSG_ERROR)
		return EPROTO;
	return -((struct nlmsgerr *)NLMSG_DATA(r))->error;
}

/* RTM_NEWLINK (or RTM_DELLINK) of a link named name, of kind kind */
static int
nl_link(int s, int type, const char *name, const char *kind)
{
	union {
		struct nlmsghdr h;
		char buf[512];
	} m;
	struct ifinfomsg *ifi;
	struct nlattr *info;

	memset(&m, 0, sizeof(m));
	m.h.nlmsg_len = NLMSG_LENGTH(sizeof(*ifi));
	m.h.nlmsg_type = (unsigned short)type;
	m.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	if (type == RTM_NEWLINK)
		m.h.nlmsg_flags |= NLM_F_CREATE | NLM_F_EXCL;
	m.h.nlmsg_seq = 1;
	ifi = NLMSG_DATA(&m.h);
	ifi->ifi_family = AF_UNSPEC;
	nla_put(&m.h, IFLA_IFNAME, name, strlen(name) + 1);
	if (kind) {
		info = nla_begin(&m.h, IFLA_LINKINFO);
		nla_put(&m.h, IFLA_INFO_KIND, kind, strlen(kind));
		nla_end(&m.h, info);
	}
	return nl_talk(s, &m.h);
}

static void
check_netlink(void)
{
	/* the first kind this kernel has: not every kernel builds dummy */
	static const char *const kinds[] = { "dummy", "ifb", "bridge" };
	struct timeval tv = { .tv_sec = 5 };
	const char *name = "prb0";
	int s, e = EOPNOTSUPP;
	size_t i;

	s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (s < 0) {
		probe_row("netlink_newlink", "refused", "socket: %s", strerror(errno));
		return;
	}
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]) && e == EOPNOTSUPP; i++)
		e = nl_link(s, RTM_NEWLINK, name, kinds[i]);
	if (e == 0) {
		int d = nl_link(s, RTM_DELLINK, name, NULL);

		probe_row("netlink_newlink", "allowed", "created %s link '%s', %s", kinds[i - 1],
			  name, d ? "could not delete it" : "deleted it");
	} else if (probe_is_refusal(e)) {
		probe_row("netlink_newlink", "refused", "%s", strerror(e));
	} else {
		probe_row("netlink_newlink", "allowed", "the kernel answered: %s", strerror(e));
	}
	close(s);
}

static void
check_socket(const char *name, int domain, int type, int proto)
{
	int s = socket(domain, type | SOCK_CLOEXEC, proto);

	if (s < 0) {
		probe_row(name, "refused", "%s", strerror(errno));
		return;
	}
	close(s);
	probe_row(name, "allowed", "opened");
}

void
probe_net(void)
{
	check_netlink();
	check_socket("raw_socket", AF_INET, SOCK_RAW, IPPROTO_ICMP);
	check_socket("packet_socket", AF_PACKET, SOCK_RAW, 0);
}
