# A security group whose rules are separate aws_security_group_rule resources, so that
# groups may reference each other (a datastore group and its -clients group) without a cycle.
resource "aws_security_group" "this" {
  #checkov:skip=CKV2_AWS_5:this module creates the group only; the caller attaches it (datastore, ECS service or a -clients group joined by dependents)
  name                   = var.name
  description            = var.description
  vpc_id                 = var.vpc_id
  revoke_rules_on_delete = true

  tags = merge(var.tags, { Name = var.name })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_security_group_rule" "ingress" {
  for_each = var.ingress_rules

  type                     = "ingress"
  security_group_id        = aws_security_group.this.id
  description              = each.value.description
  from_port                = each.value.from_port
  to_port                  = each.value.to_port
  protocol                 = each.value.protocol
  source_security_group_id = each.value.source_security_group_id
  cidr_blocks              = length(each.value.cidr_blocks) > 0 ? each.value.cidr_blocks : null
}

resource "aws_security_group_rule" "egress" {
  for_each = var.egress_rules

  type                     = "egress"
  security_group_id        = aws_security_group.this.id
  description              = each.value.description
  from_port                = each.value.from_port
  to_port                  = each.value.to_port
  protocol                 = each.value.protocol
  source_security_group_id = each.value.destination_security_group_id
  cidr_blocks              = length(each.value.cidr_blocks) > 0 ? each.value.cidr_blocks : null
}
