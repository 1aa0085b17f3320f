mock_provider "aws" {}

# Distinct, well-formed ids for the two groups, so rules can be told apart.
override_resource {
  target = aws_security_group.this
  values = { id = "sg-0aaaaaaaaaaaaaaa1" }
}

override_resource {
  target = aws_security_group.clients
  values = { id = "sg-0ccccccccccccccc1" }
}

variables {
  name               = "orders-db"
  description        = "Database orders-db: admits orders-db-clients on 5432"
  client_description = "Clients of database orders-db: egress to it on 5432"
  rule_label         = "postgres"
  vpc_id             = "vpc-0123456789abcdef0"
  port               = 5432
  tags               = { owner = "team-a" }
}

run "guarded_pair" {
  command = apply

  assert {
    condition     = aws_security_group.this[0].name == "orders-db" && aws_security_group.this[0].description == "Database orders-db: admits orders-db-clients on 5432"
    error_message = "the guarded group is <name> with var.description"
  }

  assert {
    condition     = aws_security_group.clients[0].name == "orders-db-clients" && aws_security_group.clients[0].description == "Clients of database orders-db: egress to it on 5432"
    error_message = "the -clients group is <name>-clients with var.client_description"
  }

  assert {
    condition     = aws_security_group.this[0].tags == tomap({ owner = "team-a", Name = "orders-db" }) && aws_security_group.clients[0].tags == tomap({ owner = "team-a", Name = "orders-db-clients" })
    error_message = "tags must be var.tags plus the group's Name"
  }

  assert {
    condition = (
      length(aws_security_group.this[0].ingress) == 0 && length(aws_security_group.this[0].egress) == 0 &&
      length(aws_security_group.clients[0].ingress) == 0 && length(aws_security_group.clients[0].egress) == 0
    )
    error_message = "rules must be separate aws_security_group_rule resources, not inline blocks"
  }

  assert {
    condition     = aws_security_group.this[0].revoke_rules_on_delete && aws_security_group.clients[0].revoke_rules_on_delete
    error_message = "both groups revoke their rules on delete"
  }

  assert {
    condition = { for k, r in output.ingress_rules : k => [r.description, r.source_security_group_id, r.protocol, r.from_port, r.to_port] } == {
      clients = ["postgres from orders-db-clients", "sg-0ccccccccccccccc1", "tcp", 5432, 5432]
    }
    error_message = "the guarded group admits exactly the -clients group on 5432/tcp"
  }

  assert {
    condition     = aws_security_group_rule.ingress["clients"].type == "ingress" && aws_security_group_rule.ingress["clients"].security_group_id == "sg-0aaaaaaaaaaaaaaa1"
    error_message = "the clients ingress rule belongs to the guarded group"
  }

  assert {
    condition = { for k, r in output.client_egress_rules : k => [r.description, r.destination_security_group_id, r.protocol, r.from_port, r.to_port] } == {
      guarded = ["postgres to orders-db", "sg-0aaaaaaaaaaaaaaa1", "tcp", 5432, 5432]
    }
    error_message = "the -clients group reaches exactly the guarded group on 5432/tcp"
  }

  assert {
    condition     = aws_security_group_rule.clients_egress[0].type == "egress" && aws_security_group_rule.clients_egress[0].security_group_id == "sg-0ccccccccccccccc1"
    error_message = "the egress rule belongs to the -clients group"
  }

  assert {
    condition = (
      output.security_group_id == "sg-0aaaaaaaaaaaaaaa1" && output.client_security_group_id == "sg-0ccccccccccccccc1" &&
      output.security_group_name == "orders-db" && output.client_security_group_name == "orders-db-clients"
    )
    error_message = "outputs must name the two groups"
  }
}

run "extra_ingress_on_the_same_port" {
  command = apply

  variables {
    name               = "orders"
    description        = "ECS tasks of orders: HTTP 8080 from its load balancers and orders-clients"
    client_description = "Clients of service orders: egress to its tasks on 8080"
    rule_label         = "HTTP 8080"
    port               = 8080
    extra_ingress_rules = {
      internal_lb = {
        description              = "HTTP 8080 from the internal load balancer"
        source_security_group_id = "sg-0bbbbbbbbbbbbbbb1"
      }
    }
  }

  assert {
    condition = { for k, r in output.ingress_rules : k => [r.description, r.source_security_group_id, r.protocol, r.from_port, r.to_port] } == {
      clients     = ["HTTP 8080 from orders-clients", "sg-0ccccccccccccccc1", "tcp", 8080, 8080]
      internal_lb = ["HTTP 8080 from the internal load balancer", "sg-0bbbbbbbbbbbbbbb1", "tcp", 8080, 8080]
    }
    error_message = "extra sources are admitted on the same port only, next to the -clients group"
  }

  assert {
    condition     = length(output.client_egress_rules) == 1 && output.client_egress_rules["guarded"].destination_security_group_id == "sg-0aaaaaaaaaaaaaaa1"
    error_message = "extra ingress must not add egress to the -clients group"
  }
}

run "clients_only_without_port" {
  command = apply

  variables {
    name               = "orders-events"
    description        = null
    client_description = "Clients of queue orders-events: no rules, access is IAM over AWS APIs"
    port               = null
  }

  assert {
    condition     = length(aws_security_group.this) == 0 && output.security_group_id == null && output.security_group_name == null
    error_message = "without a port there is no guarded group"
  }

  assert {
    condition     = aws_security_group.clients[0].name == "orders-events-clients" && output.client_security_group_id == "sg-0ccccccccccccccc1"
    error_message = "without a port the -clients group still exists"
  }

  assert {
    condition     = length(aws_security_group_rule.ingress) == 0 && length(aws_security_group_rule.clients_egress) == 0 && length(output.ingress_rules) == 0 && length(output.client_egress_rules) == 0
    error_message = "without a port the -clients group has no rules"
  }
}

run "rejects_bad_name" {
  command = plan

  variables {
    name = "Orders--db"
  }

  expect_failures = [var.name]
}

run "rejects_bad_description" {
  command = plan

  variables {
    description = "Database <orders-db>"
  }

  expect_failures = [var.description]
}

run "rejects_empty_client_description" {
  command = plan

  variables {
    client_description = "  "
  }

  expect_failures = [var.client_description]
}

run "rejects_bad_rule_label" {
  command = plan

  variables {
    rule_label = ""
  }

  expect_failures = [var.rule_label]
}

run "rejects_bad_vpc_id" {
  command = plan

  variables {
    vpc_id = "vpc-XYZ"
  }

  expect_failures = [var.vpc_id]
}

run "rejects_out_of_range_port" {
  command = plan

  variables {
    port = 70000
  }

  expect_failures = [var.port]
}

run "rejects_fractional_port" {
  command = plan

  variables {
    port = 80.5
  }

  expect_failures = [var.port]
}

run "rejects_reserved_extra_ingress_key" {
  command = plan

  variables {
    extra_ingress_rules = {
      clients = {
        description              = "HTTP from elsewhere"
        source_security_group_id = "sg-0bbbbbbbbbbbbbbb1"
      }
    }
  }

  expect_failures = [var.extra_ingress_rules]
}

run "rejects_extra_ingress_without_description" {
  command = plan

  variables {
    extra_ingress_rules = {
      lb = {
        description              = " "
        source_security_group_id = "sg-0bbbbbbbbbbbbbbb1"
      }
    }
  }

  expect_failures = [var.extra_ingress_rules]
}

run "rejects_extra_ingress_from_a_cidr" {
  command = plan

  variables {
    extra_ingress_rules = {
      world = {
        description              = "HTTP from anywhere"
        source_security_group_id = "0.0.0.0/0"
      }
    }
  }

  expect_failures = [var.extra_ingress_rules]
}

run "rejects_description_without_guarded_group" {
  command = plan

  variables {
    port = null
  }

  expect_failures = [aws_security_group.clients]
}

run "rejects_guarded_group_without_description" {
  command = plan

  variables {
    description = null
  }

  expect_failures = [aws_security_group.clients]
}

run "rejects_extra_ingress_without_port" {
  command = plan

  variables {
    port        = null
    description = null
    extra_ingress_rules = {
      lb = {
        description              = "HTTP from the internal load balancer"
        source_security_group_id = "sg-0bbbbbbbbbbbbbbb1"
      }
    }
  }

  expect_failures = [aws_security_group.clients]
}

run "clients_false_keeps_only_the_guarded_group" {
  command = apply

  variables {
    name               = "mailer"
    description        = "ECS tasks of mailer"
    client_description = "Clients of service mailer"
    rule_label         = "HTTP"
    port               = 8080
    clients            = false
  }

  assert {
    condition     = length(aws_security_group.clients) == 0 && output.client_security_group_id == null && output.client_security_group_name == null
    error_message = "a workload nothing may call has no -clients group"
  }

  assert {
    condition     = aws_security_group.this[0].name == "mailer" && output.ingress_rules == {} && output.client_egress_rules == {}
    error_message = "its guarded group exists and admits nothing"
  }
}

run "clients_false_without_a_port_still_makes_the_clients_group" {
  command = plan

  variables {
    port        = null
    description = null
    clients     = false
  }

  assert {
    condition     = length(aws_security_group.clients) == 1 && length(aws_security_group.this) == 0
    error_message = "without a port the -clients group is all there is, whatever clients says"
  }
}
