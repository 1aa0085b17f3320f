# State moves from the two aws/security-group calls this module made before it called
# aws/client-access once: existing groups and rules are kept, not replaced.

moved {
  from = module.security_group.aws_security_group.this
  to   = module.client_access.aws_security_group.this[0]
}

moved {
  from = module.security_group.aws_security_group_rule.ingress["clients"]
  to   = module.client_access.aws_security_group_rule.ingress["clients"]
}

moved {
  from = module.client_security_group.aws_security_group.this
  to   = module.client_access.aws_security_group.clients
}

moved {
  from = module.client_security_group.aws_security_group_rule.egress["database"]
  to   = module.client_access.aws_security_group_rule.clients_egress[0]
}
