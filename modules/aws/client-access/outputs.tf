output "security_group_id" {
  description = "ID of the guarded group <name>, or null when port is null (no guarded group)."
  value       = one(aws_security_group.this[*].id)
}

output "security_group_name" {
  description = "Name of the guarded group (<name>), or null when port is null."
  value       = one(aws_security_group.this[*].name)
}

output "client_security_group_id" {
  description = "ID of the <name>-clients group; dependents join it. Null with clients = false."
  value       = one(aws_security_group.clients[*].id)
}

output "client_security_group_name" {
  description = "Name of the -clients group (<name>-clients), or null with clients = false."
  value       = one(aws_security_group.clients[*].name)
}

output "ingress_rules" {
  description = "Ingress rules of the guarded group as created, keyed \"clients\" plus the keys of var.extra_ingress_rules: id, the group it belongs to (security_group_id), ports, protocol and source group. Empty when port is null."
  value = {
    for k, r in aws_security_group_rule.ingress : k => {
      id                       = r.id
      security_group_id        = r.security_group_id
      description              = r.description
      from_port                = r.from_port
      to_port                  = r.to_port
      protocol                 = r.protocol
      source_security_group_id = r.source_security_group_id
    }
  }
}

output "client_egress_rules" {
  description = "Egress rules of the -clients group as created (one, keyed \"guarded\", or none when port is null): id, the group it belongs to (security_group_id), ports, protocol and destination group."
  value = {
    for r in aws_security_group_rule.clients_egress : "guarded" => {
      id                            = r.id
      security_group_id             = r.security_group_id
      description                   = r.description
      from_port                     = r.from_port
      to_port                       = r.to_port
      protocol                      = r.protocol
      destination_security_group_id = r.source_security_group_id
    }
  }
}

output "descriptions" {
  description = "Descriptions of the guarded group (null without one) and of the -clients group. They cannot change in place, so they carry nothing a spec change can alter."
  value       = { guarded = one(aws_security_group.this[*].description), clients = one(aws_security_group.clients[*].description) }
}
