output "id" {
  description = "ID of the security group."
  value       = aws_security_group.this.id
}

output "arn" {
  description = "ARN of the security group."
  value       = aws_security_group.this.arn
}

output "name" {
  description = "Name of the security group."
  value       = aws_security_group.this.name
}

output "ingress_rules" {
  description = "Ingress rules as created, keyed like var.ingress_rules: id, ports, protocol and source (group or CIDR blocks)."
  value = {
    for k, r in aws_security_group_rule.ingress : k => {
      id                       = r.id
      from_port                = r.from_port
      to_port                  = r.to_port
      protocol                 = r.protocol
      source_security_group_id = r.source_security_group_id
      cidr_blocks              = r.cidr_blocks
    }
  }
}

output "egress_rules" {
  description = "Egress rules as created, keyed like var.egress_rules: id, ports, protocol and destination (group or CIDR blocks)."
  value = {
    for k, r in aws_security_group_rule.egress : k => {
      id                            = r.id
      from_port                     = r.from_port
      to_port                       = r.to_port
      protocol                      = r.protocol
      destination_security_group_id = r.source_security_group_id
      cidr_blocks                   = r.cidr_blocks
    }
  }
}
