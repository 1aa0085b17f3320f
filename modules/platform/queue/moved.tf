# State moves from the aws/security-group call this module made before it called
# aws/client-access once: existing groups and rules are kept, not replaced.

moved {
  from = module.client_security_group.aws_security_group.this
  to   = module.client_access.aws_security_group.clients
}
