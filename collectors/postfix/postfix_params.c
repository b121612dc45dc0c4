/*
 * postfix_params.c - the table of Postfix parameters and their built-in
 * defaults (see postfix_params.h and docs/postfix-defaults.md).
 *
 * One row per parameter, at its enum postfix_param_id; each row holds the
 * default for one or two version ranges: what "postconf -d" prints for that
 * version, with compatibility_level conditions written as the <level
 * expressions Postfix 3.6+ itself uses.  NULL values are computed from the
 * host (postfix_lookup() in postfix_conf.c).  No diagnostics.
 */
#include "collectors/postfix/postfix_params.h"

#include <assert.h>
#include <string.h>

#define V(a, b, c) POSTFIX_VERSION(a, b, c)
#define NEWEST POSTFIX_VERSION_NEWEST
#define ANY V(0, 0, 0), NEWEST
#define MPH "global/mail_params.h"

const struct postfix_param_def postfix_params[] = {
	[POSTFIX_P_COMPATIBILITY_LEVEL] = {"compatibility_level", {
		{ANY, "0", MPH " DEF_COMPAT_LEVEL"},
	}},
	[POSTFIX_P_INET_INTERFACES] = {"inet_interfaces", {
		{ANY, "all", MPH " DEF_INET_INTERFACES"},
	}},
	[POSTFIX_P_INET_PROTOCOLS] = {"inet_protocols", {
		{V(2, 9, 0), NEWEST, "all", MPH " DEF_INET_PROTOCOLS (HAS_IPV6)"},
		{V(0, 0, 0), V(2, 8, 999), "ipv4", MPH " DEF_INET_PROTOCOLS (2.8 and older)"},
	}},
	[POSTFIX_P_PROXY_INTERFACES] = {"proxy_interfaces", {
		{ANY, "", MPH " DEF_PROXY_INTERFACES"},
	}},
	[POSTFIX_P_MYNETWORKS_STYLE] = {"mynetworks_style", {
		{V(3, 0, 0), NEWEST, "${{$compatibility_level} <level {2} ? {subnet} : {host}}",
		 MPH " DEF_MYNETWORKS_STYLE"},
		{V(0, 0, 0), V(2, 999, 999), "subnet", MPH " DEF_MYNETWORKS_STYLE (2.x)"},
	}},
	[POSTFIX_P_MYNETWORKS] = {"mynetworks", {
		{ANY, NULL, "global/mynetworks.c mynetworks() (from mynetworks_style)"},
	}},
	[POSTFIX_P_MYHOSTNAME] = {"myhostname", {
		{ANY, NULL, "global/mail_params.c check_myhostname()"},
	}},
	[POSTFIX_P_MYDOMAIN] = {"mydomain", {
		{ANY, NULL, "global/mail_params.c check_mydomain()"},
	}},
	[POSTFIX_P_MAIL_VERSION] = {"mail_version", {
		{ANY, NULL, "global/mail_version.h MAIL_VERSION_NUMBER"},
	}},
	[POSTFIX_P_MAIL_NAME] = {"mail_name", {
		{ANY, "Postfix", MPH " DEF_MAIL_NAME"},
	}},
	[POSTFIX_P_MYORIGIN] = {"myorigin", {
		{ANY, "$myhostname", MPH " DEF_MYORIGIN"},
	}},
	[POSTFIX_P_MYDESTINATION] = {"mydestination", {
		{ANY, "$myhostname, localhost.$mydomain, localhost", MPH " DEF_MYDEST"},
	}},
	[POSTFIX_P_RELAY_DOMAINS] = {"relay_domains", {
		{V(3, 0, 0), NEWEST, "${{$compatibility_level} <level {2} ? {$mydestination} : {}}",
		 MPH " DEF_RELAY_DOMAINS"},
		{V(0, 0, 0), V(2, 999, 999), "$mydestination", MPH " DEF_RELAY_DOMAINS (2.x)"},
	}},
	[POSTFIX_P_VIRTUAL_ALIAS_DOMAINS] = {"virtual_alias_domains", {
		{ANY, "$virtual_alias_maps", MPH " DEF_VIRT_ALIAS_DOMS"},
	}},
	[POSTFIX_P_VIRTUAL_ALIAS_MAPS] = {"virtual_alias_maps", {
		{ANY, "$virtual_maps", MPH " DEF_VIRT_ALIAS_MAPS"},
	}},
	[POSTFIX_P_VIRTUAL_MAPS] = {"virtual_maps", {
		{ANY, "", MPH " DEF_VIRTUAL_MAPS"},
	}},
	[POSTFIX_P_VIRTUAL_MAILBOX_DOMAINS] = {"virtual_mailbox_domains", {
		{ANY, "$virtual_mailbox_maps", MPH " DEF_VIRT_MAILBOX_DOMS"},
	}},
	[POSTFIX_P_VIRTUAL_MAILBOX_MAPS] = {"virtual_mailbox_maps", {
		{ANY, "", MPH " DEF_VIRT_MAILBOX_MAPS"},
	}},
	[POSTFIX_P_RELAYHOST] = {"relayhost", {
		{ANY, "", MPH " DEF_RELAYHOST"},
	}},
	[POSTFIX_P_SMTPD_CLIENT_RESTRICTIONS] = {"smtpd_client_restrictions", {
		{ANY, "", MPH " DEF_CLIENT_CHECKS"},
	}},
	[POSTFIX_P_SMTPD_HELO_RESTRICTIONS] = {"smtpd_helo_restrictions", {
		{ANY, "", MPH " DEF_HELO_CHECKS"},
	}},
	[POSTFIX_P_SMTPD_SENDER_RESTRICTIONS] = {"smtpd_sender_restrictions", {
		{ANY, "", MPH " DEF_MAIL_CHECKS"},
	}},
	[POSTFIX_P_SMTPD_RELAY_RESTRICTIONS] = {"smtpd_relay_restrictions", {
		{V(3, 0, 0), NEWEST,
		 "${{$compatibility_level} <level {1} ? {} : "
		 "{permit_mynetworks, permit_sasl_authenticated, defer_unauth_destination}}",
		 MPH " DEF_RELAY_CHECKS"},
		{V(2, 10, 0), V(2, 999, 999),
		 "permit_mynetworks, permit_sasl_authenticated, defer_unauth_destination",
		 MPH " DEF_RELAY_CHECKS (2.10, 2.11)"},
	}},
	[POSTFIX_P_SMTPD_RECIPIENT_RESTRICTIONS] = {"smtpd_recipient_restrictions", {
		{V(2, 10, 0), NEWEST, "", MPH " DEF_RCPT_CHECKS"},
		{V(0, 0, 0), V(2, 9, 999), "permit_mynetworks, reject_unauth_destination",
		 MPH " DEF_RCPT_CHECKS (2.9 and older)"},
	}},
	[POSTFIX_P_SMTPD_RESTRICTION_CLASSES] = {"smtpd_restriction_classes", {
		{ANY, "", MPH " DEF_REST_CLASSES"},
	}},
	[POSTFIX_P_SMTPD_RELAY_BEFORE_RECIPIENT_RESTRICTIONS] = {"smtpd_relay_before_recipient_restrictions", {
		{V(3, 6, 0), NEWEST, "${{$compatibility_level} <level {3.6} ? {no} : {yes}}",
		 MPH " DEF_RELAY_BEFORE_RCPT_CHECKS"},
	}},
	[POSTFIX_P_SMTPD_DELAY_REJECT] = {"smtpd_delay_reject", {
		{ANY, "yes", MPH " DEF_SMTPD_DELAY_REJECT"},
	}},
	[POSTFIX_P_DISABLE_VRFY_COMMAND] = {"disable_vrfy_command", {
		{ANY, "no", MPH " DEF_DISABLE_VRFY_CMD"},
	}},
	[POSTFIX_P_SMTPD_HELO_REQUIRED] = {"smtpd_helo_required", {
		{ANY, "no", MPH " DEF_HELO_REQUIRED"},
	}},
	[POSTFIX_P_SMTPD_BANNER] = {"smtpd_banner", {
		{ANY, "$myhostname ESMTP $mail_name", MPH " DEF_SMTPD_BANNER"},
	}},
	[POSTFIX_P_SMTPD_TLS_SECURITY_LEVEL] = {"smtpd_tls_security_level", {
		{V(2, 3, 0), NEWEST, "", MPH " DEF_SMTPD_TLS_LEVEL"},
	}},
	[POSTFIX_P_SMTPD_USE_TLS] = {"smtpd_use_tls", {
		{ANY, "no", MPH " DEF_SMTPD_USE_TLS"},
	}},
	[POSTFIX_P_SMTPD_ENFORCE_TLS] = {"smtpd_enforce_tls", {
		{ANY, "no", MPH " DEF_SMTPD_ENFORCE_TLS"},
	}},
	[POSTFIX_P_SMTPD_TLS_AUTH_ONLY] = {"smtpd_tls_auth_only", {
		{ANY, "no", MPH " DEF_SMTPD_TLS_AUTH_ONLY"},
	}},
	[POSTFIX_P_SMTPD_TLS_CERT_FILE] = {"smtpd_tls_cert_file", {
		{ANY, "", MPH " DEF_SMTPD_TLS_CERT_FILE"},
	}},
	[POSTFIX_P_SMTPD_TLS_KEY_FILE] = {"smtpd_tls_key_file", {
		{ANY, "$smtpd_tls_cert_file", MPH " DEF_SMTPD_TLS_KEY_FILE"},
	}},
	[POSTFIX_P_SMTPD_TLS_CHAIN_FILES] = {"smtpd_tls_chain_files", {
		{V(3, 4, 0), NEWEST, "", MPH " DEF_SMTPD_TLS_CHAIN_FILES"},
	}},
	[POSTFIX_P_SMTPD_TLS_ECCERT_FILE] = {"smtpd_tls_eccert_file", {
		{V(2, 6, 0), NEWEST, "", MPH " DEF_SMTPD_TLS_ECCERT_FILE"},
	}},
	[POSTFIX_P_SMTPD_TLS_ECKEY_FILE] = {"smtpd_tls_eckey_file", {
		{V(2, 6, 0), NEWEST, "$smtpd_tls_eccert_file", MPH " DEF_SMTPD_TLS_ECKEY_FILE"},
	}},
	[POSTFIX_P_SMTPD_TLS_DH1024_PARAM_FILE] = {"smtpd_tls_dh1024_param_file", {
		{ANY, "", MPH " DEF_SMTPD_TLS_1024_FILE"},
	}},
	[POSTFIX_P_SMTPD_TLS_PROTOCOLS] = {"smtpd_tls_protocols", {
		{V(3, 6, 0), NEWEST, ">=TLSv1", MPH " DEF_SMTPD_TLS_PROTO"},
		{V(2, 6, 0), V(3, 5, 999), "!SSLv2, !SSLv3", MPH " DEF_SMTPD_TLS_PROTO (3.5 and older)"},
	}},
	[POSTFIX_P_SMTPD_TLS_MANDATORY_PROTOCOLS] = {"smtpd_tls_mandatory_protocols", {
		{V(3, 6, 0), NEWEST, ">=TLSv1", MPH " DEF_SMTPD_TLS_MAND_PROTO"},
		{V(2, 3, 0), V(3, 5, 999), "!SSLv2, !SSLv3",
		 MPH " DEF_SMTPD_TLS_MAND_PROTO (3.5 and older)"},
	}},
	/* "export" until the mid-2015 releases (3.1; backported to 3.0.2 and 2.11.6) */
	[POSTFIX_P_SMTPD_TLS_CIPHERS] = {"smtpd_tls_ciphers", {
		{V(3, 1, 0), NEWEST, "medium", MPH " DEF_SMTPD_TLS_CIPHERS"},
		{V(2, 6, 0), V(3, 0, 999), "export", MPH " DEF_SMTPD_TLS_CIPHERS (3.0 and older)"},
	}},
	[POSTFIX_P_SMTPD_TLS_MANDATORY_CIPHERS] = {"smtpd_tls_mandatory_ciphers", {
		{V(2, 3, 0), NEWEST, "medium", MPH " DEF_SMTPD_TLS_MAND_CIPH"},
	}},
	[POSTFIX_P_SMTPD_TLS_WRAPPERMODE] = {"smtpd_tls_wrappermode", {
		{ANY, "no", MPH " DEF_SMTPD_TLS_WRAPPER"},
	}},
	[POSTFIX_P_SMTPD_TLS_LOGLEVEL] = {"smtpd_tls_loglevel", {
		{ANY, "0", MPH " DEF_SMTPD_TLS_LOGLEVEL"},
	}},
	[POSTFIX_P_SMTP_TLS_SECURITY_LEVEL] = {"smtp_tls_security_level", {
		{V(3, 11, 0), NEWEST, "${{$compatibility_level} <level {3.11} ? {} : {may}}",
		 MPH " DEF_SMTP_TLS_LEVEL (3.11)"},
		{V(2, 3, 0), V(3, 10, 999), "", MPH " DEF_SMTP_TLS_LEVEL"},
	}},
	[POSTFIX_P_SMTP_USE_TLS] = {"smtp_use_tls", {
		{ANY, "no", MPH " DEF_SMTP_USE_TLS"},
	}},
	[POSTFIX_P_SMTP_ENFORCE_TLS] = {"smtp_enforce_tls", {
		{ANY, "no", MPH " DEF_SMTP_ENFORCE_TLS"},
	}},
	[POSTFIX_P_SMTP_TLS_LOGLEVEL] = {"smtp_tls_loglevel", {
		{ANY, "0", MPH " DEF_SMTP_TLS_LOGLEVEL"},
	}},
	[POSTFIX_P_SMTP_SASL_AUTH_ENABLE] = {"smtp_sasl_auth_enable", {
		{ANY, "no", MPH " DEF_SMTP_SASL_ENABLE"},
	}},
	[POSTFIX_P_SMTP_SASL_SECURITY_OPTIONS] = {"smtp_sasl_security_options", {
		{ANY, "noplaintext, noanonymous", MPH " DEF_SMTP_SASL_OPTS"},
	}},
	[POSTFIX_P_SMTPD_SASL_AUTH_ENABLE] = {"smtpd_sasl_auth_enable", {
		{ANY, "no", MPH " DEF_SMTPD_SASL_ENABLE"},
	}},
	[POSTFIX_P_SMTPD_SASL_SECURITY_OPTIONS] = {"smtpd_sasl_security_options", {
		{ANY, "noanonymous", MPH " DEF_SMTPD_SASL_OPTS"},
	}},
	[POSTFIX_P_SMTPD_SASL_TYPE] = {"smtpd_sasl_type", {
		{ANY, "cyrus", MPH " DEF_SMTPD_SASL_TYPE"},
	}},
	[POSTFIX_P_SMTPD_CLIENT_CONNECTION_COUNT_LIMIT] = {"smtpd_client_connection_count_limit", {
		{ANY, "50", MPH " DEF_SMTPD_CCONN_LIMIT"},
	}},
	[POSTFIX_P_SMTPD_CLIENT_CONNECTION_RATE_LIMIT] = {"smtpd_client_connection_rate_limit", {
		{ANY, "0", MPH " DEF_SMTPD_CRATE_LIMIT"},
	}},
	[POSTFIX_P_ANVIL_RATE_TIME_UNIT] = {"anvil_rate_time_unit", {
		{ANY, "60s", MPH " DEF_ANVIL_TIME_UNIT"},
	}},
	[POSTFIX_P_SYSLOG_NAME] = {"syslog_name", {
		{V(2, 6, 0), NEWEST, "${multi_instance_name?{$multi_instance_name}:{postfix}}",
		 MPH " DEF_SYSLOG_NAME"},
	}},
	[POSTFIX_P_MULTI_INSTANCE_DIRECTORIES] = {"multi_instance_directories", {
		{ANY, "", MPH " DEF_MULTI_INSTANCE_DIRS"},
	}},
	[POSTFIX_P_MULTI_INSTANCE_ENABLE] = {"multi_instance_enable", {
		{ANY, "no", MPH " DEF_MULTI_INSTANCE_ENABLE"},
	}},
	[POSTFIX_P_MULTI_INSTANCE_NAME] = {"multi_instance_name", {
		{ANY, "", MPH " DEF_MULTI_INSTANCE_NAME"},
	}},
	[POSTFIX_P_MULTI_INSTANCE_GROUP] = {"multi_instance_group", {
		{ANY, "", MPH " DEF_MULTI_INSTANCE_GROUP"},
	}},
	[POSTFIX_P_KNOWN_TCP_PORTS] = {"known_tcp_ports", {
		{V(3, 6, 0), NEWEST, "lmtp=24, smtp=25, smtps=submissions=465, submission=587",
		 MPH " DEF_KNOWN_TCP_PORTS"},
	}},
	[POSTFIX_P_PARENT_DOMAIN_MATCHES_SUBDOMAINS] = {"parent_domain_matches_subdomains", {
		{ANY, "debug_peer_list,fast_flush_domains,mynetworks,permit_mx_backup_networks,"
		 "qmqpd_authorized_clients,relay_domains,smtpd_access_maps", MPH " DEF_PAR_DOM_MATCH"},
	}},
	/* only whether it is set is read (postfix_relay.h): the default names
	 * some 80 parameters the exporter does not model */
	[POSTFIX_P_PROXY_READ_MAPS] = {"proxy_read_maps", {
		{ANY, "$local_recipient_maps $mydestination $virtual_alias_maps "
		 "$virtual_alias_domains $virtual_mailbox_maps $virtual_mailbox_domains "
		 "$relay_recipient_maps $relay_domains $canonical_maps "
		 "$sender_canonical_maps $recipient_canonical_maps $relocated_maps "
		 "$transport_maps $mynetworks $smtpd_sender_login_maps $sender_bcc_maps "
		 "$recipient_bcc_maps $smtp_generic_maps $lmtp_generic_maps $alias_maps "
		 "$smtpd_client_restrictions $smtpd_helo_restrictions "
		 "$smtpd_sender_restrictions $smtpd_relay_restrictions "
		 "$smtpd_recipient_restrictions "
		 "$address_verify_sender_dependent_default_transport_maps "
		 "$address_verify_sender_dependent_relayhost_maps "
		 "$address_verify_transport_maps $fallback_transport_maps "
		 "$lmtp_discard_lhlo_keyword_address_maps $lmtp_pix_workaround_maps "
		 "$lmtp_sasl_password_maps $lmtp_tls_policy_maps $mailbox_command_maps "
		 "$mailbox_transport_maps $postscreen_discard_ehlo_keyword_address_maps "
		 "$rbl_reply_maps $sender_dependent_default_transport_maps "
		 "$sender_dependent_relayhost_maps "
		 "$smtp_discard_ehlo_keyword_address_maps $smtp_pix_workaround_maps "
		 "$smtp_sasl_password_maps $smtp_tls_policy_maps "
		 "$smtpd_discard_ehlo_keyword_address_maps $smtpd_milter_maps "
		 "$virtual_gid_maps $virtual_uid_maps $local_login_sender_maps "
		 "$postscreen_reject_footer_maps $smtpd_reject_footer_maps "
		 "$tls_server_sni_maps $tlsproxy_client_policy_maps "
		 "$default_delivery_status_filter $lmtp_delivery_status_filter "
		 "$lmtp_dns_reply_filter $lmtp_reply_filter "
		 "$local_delivery_status_filter $pipe_delivery_status_filter "
		 "$postscreen_command_filter $smtp_delivery_status_filter "
		 "$smtp_dns_reply_filter $smtp_reply_filter $smtpd_command_filter "
		 "$smtpd_dns_reply_filter $virtual_delivery_status_filter $body_checks "
		 "$header_checks $lmtp_body_checks $lmtp_header_checks "
		 "$lmtp_mime_header_checks $lmtp_nested_header_checks "
		 "$milter_header_checks $mime_header_checks $nested_header_checks "
		 "$smtp_body_checks $smtp_header_checks $smtp_mime_header_checks "
		 "$smtp_nested_header_checks",
		 MPH " DEF_PROXY_READ_MAPS (3.7)"},
	}},
};

_Static_assert(sizeof(postfix_params) / sizeof(postfix_params[0]) == POSTFIX_P_COUNT,
	       "postfix_params[] needs one row for every enum postfix_param_id");

const char *
postfix_param_name(enum postfix_param_id id)
{
	assert((unsigned)id < POSTFIX_P_COUNT && postfix_params[id].name != NULL);
	return postfix_params[id].name;
}

int
postfix_param_by_name(const char *name)
{
	for (size_t i = 0; i < POSTFIX_P_COUNT; i++)
		if (postfix_params[i].name != NULL && strcmp(postfix_params[i].name, name) == 0)
			return (int)i;
	return -1;
}

const struct postfix_default *
postfix_param_default(enum postfix_param_id id, unsigned version)
{
	assert((unsigned)id < POSTFIX_P_COUNT);
	for (size_t r = 0; r < POSTFIX_PARAM_RANGES; r++) {
		const struct postfix_default *d = &postfix_params[id].dflt[r];

		if (d->source != NULL && version >= d->min_version && version <= d->max_version)
			return d;
	}
	return NULL;
}

const struct postfix_default *
postfix_default_find(const char *name, unsigned version)
{
	int id = postfix_param_by_name(name);

	return id < 0 ? NULL : postfix_param_default((enum postfix_param_id)id, version);
}
