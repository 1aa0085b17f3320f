# A guarded security group <name> and its twin <name>-clients: the guarded group admits the
# -clients group (plus any extra source groups) on one TCP port, and the -clients group may
# reach the guarded group on that port and nothing else. With port = null only the -clients
# group is created, without rules (datastores reached over AWS APIs, where access is IAM). With
# clients = false only the guarded group is created, admitting only the extra source groups
# (a worker or job: nothing may call it).
# Rules are separate aws_security_group_rule resources so the two groups can reference each
# other without a cycle.
locals {
  guarded      = var.port != null
  client_name  = "${var.name}-clients"
  guarded_name = var.name

  ingress_rules = local.guarded ? merge(var.extra_ingress_rules, var.clients ? {
    clients = {
      description              = "${var.rule_label} from ${local.client_name}"
      source_security_group_id = aws_security_group.clients[0].id
    }
  } : {}) : {}
}

resource "aws_security_group" "this" {
  #checkov:skip=CKV2_AWS_5:this module creates the groups only; the caller attaches the guarded group (datastore, ECS service) and dependents join the -clients group
  count = local.guarded ? 1 : 0

  name                   = local.guarded_name
  description            = var.description
  vpc_id                 = var.vpc_id
  revoke_rules_on_delete = true

  tags = merge(var.tags, { Name = local.guarded_name })

  lifecycle {
    create_before_destroy = true
    # A description cannot change in place. Groups created with an older description (one that
    # named the port) keep it instead of being replaced under the running tasks.
    ignore_changes = [description]
  }
}

resource "aws_security_group" "clients" {
  #checkov:skip=CKV2_AWS_5:this module creates the groups only; dependents join the -clients group
  count = var.clients || !local.guarded ? 1 : 0

  name                   = local.client_name
  description            = var.client_description
  vpc_id                 = var.vpc_id
  revoke_rules_on_delete = true

  tags = merge(var.tags, { Name = local.client_name })

  lifecycle {
    create_before_destroy = true
    # See aws_security_group.this: an older description is kept, never replaced.
    ignore_changes = [description]

    precondition {
      condition     = local.guarded == (var.description != null)
      error_message = "description is required when port is set and must be null when port is null (it describes the guarded group)."
    }

    precondition {
      condition     = local.guarded || length(var.extra_ingress_rules) == 0
      error_message = "extra_ingress_rules need a port: with port = null there is no guarded group to admit them to."
    }
  }
}

# The -clients group had no count before clients = false existed.
moved {
  from = aws_security_group.clients
  to   = aws_security_group.clients[0]
}

# The guarded group admits the -clients group and the extra source groups, on var.port only.
resource "aws_security_group_rule" "ingress" {
  for_each = local.ingress_rules

  type                     = "ingress"
  security_group_id        = aws_security_group.this[0].id
  description              = each.value.description
  from_port                = var.port
  to_port                  = var.port
  protocol                 = "tcp"
  source_security_group_id = each.value.source_security_group_id
}

# The -clients group's only egress: to the guarded group on var.port.
resource "aws_security_group_rule" "clients_egress" {
  count = local.guarded && var.clients ? 1 : 0

  type                     = "egress"
  security_group_id        = aws_security_group.clients[0].id
  description              = "${var.rule_label} to ${local.guarded_name}"
  from_port                = var.port
  to_port                  = var.port
  protocol                 = "tcp"
  source_security_group_id = aws_security_group.this[0].id
}
