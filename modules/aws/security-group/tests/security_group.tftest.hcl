mock_provider "aws" {}

variables {
  name        = "orders-db"
  description = "Database orders-db"
  vpc_id      = "vpc-0123456789abcdef0"
  tags        = { owner = "team-a" }
  ingress_rules = {
    clients = {
      description              = "postgres from orders-db-clients"
      from_port                = 5432
      to_port                  = 5432
      source_security_group_id = "sg-0aaaaaaaaaaaaaaaa"
    }
    office = {
      description = "postgres from the office VPN"
      from_port   = 5432
      to_port     = 5432
      cidr_blocks = ["10.20.0.0/16"]
    }
  }
  egress_rules = {
    db = {
      description                   = "postgres to orders-db"
      from_port                     = 5432
      to_port                       = 5432
      destination_security_group_id = "sg-0bbbbbbbbbbbbbbbb"
    }
  }
}

run "group_and_rules" {
  command = apply

  assert {
    condition     = aws_security_group.this.name == "orders-db" && aws_security_group.this.description == "Database orders-db"
    error_message = "group name and description must come from the variables"
  }

  assert {
    condition     = aws_security_group.this.tags == tomap({ owner = "team-a", Name = "orders-db" })
    error_message = "tags must be var.tags plus Name"
  }

  assert {
    condition     = length(aws_security_group.this.ingress) == 0 && length(aws_security_group.this.egress) == 0
    error_message = "rules must be separate aws_security_group_rule resources, not inline blocks"
  }

  assert {
    condition = (
      aws_security_group_rule.ingress["clients"].type == "ingress" &&
      aws_security_group_rule.ingress["clients"].source_security_group_id == "sg-0aaaaaaaaaaaaaaaa" &&
      aws_security_group_rule.ingress["clients"].protocol == "tcp" &&
      aws_security_group_rule.ingress["clients"].from_port == 5432 &&
      aws_security_group_rule.ingress["clients"].security_group_id == aws_security_group.this.id
    )
    error_message = "the group-sourced ingress rule must admit only the source group on 5432/tcp"
  }

  assert {
    condition     = aws_security_group_rule.ingress["office"].cidr_blocks == tolist(["10.20.0.0/16"])
    error_message = "the CIDR ingress rule must admit only its CIDR block"
  }

  assert {
    condition     = aws_security_group_rule.egress["db"].type == "egress" && aws_security_group_rule.egress["db"].source_security_group_id == "sg-0bbbbbbbbbbbbbbbb"
    error_message = "the egress rule must reach only the destination group"
  }

  assert {
    condition     = alltrue([for r in concat(values(aws_security_group_rule.ingress), values(aws_security_group_rule.egress)) : length(r.description) > 0])
    error_message = "every rule must carry a description"
  }

  assert {
    condition     = output.egress_rules["db"].destination_security_group_id == "sg-0bbbbbbbbbbbbbbbb" && output.ingress_rules["clients"].from_port == 5432
    error_message = "the rule outputs must describe the rules as created"
  }
}

run "no_rules_means_no_egress" {
  command = plan

  variables {
    ingress_rules = {}
    egress_rules  = {}
  }

  assert {
    condition     = length(aws_security_group_rule.ingress) == 0 && length(aws_security_group_rule.egress) == 0
    error_message = "no rules must be created when none are given"
  }
}

run "rejects_open_ingress" {
  command = plan

  variables {
    ingress_rules = {
      world = { description = "everyone", from_port = 443, to_port = 443, cidr_blocks = ["0.0.0.0/0"] }
    }
  }

  expect_failures = [var.ingress_rules]
}

run "rejects_open_ipv6_egress" {
  command = plan

  variables {
    egress_rules = {
      world = { description = "everyone", from_port = 443, to_port = 443, cidr_blocks = ["::/0"] }
    }
  }

  expect_failures = [var.egress_rules]
}

run "rejects_rule_with_source_and_cidr" {
  command = plan

  variables {
    ingress_rules = {
      both = { description = "both", from_port = 1, to_port = 1, source_security_group_id = "sg-1", cidr_blocks = ["10.0.0.0/8"] }
    }
  }

  expect_failures = [var.ingress_rules]
}

run "rejects_rule_without_description" {
  command = plan

  variables {
    ingress_rules = {
      blank = { description = " ", from_port = 1, to_port = 1, source_security_group_id = "sg-1" }
    }
  }

  expect_failures = [var.ingress_rules]
}

run "rejects_all_protocols" {
  command = plan

  variables {
    egress_rules = {
      all = { description = "all", from_port = 0, to_port = 0, protocol = "-1", destination_security_group_id = "sg-1" }
    }
  }

  expect_failures = [var.egress_rules]
}

run "rejects_reversed_ports" {
  command = plan

  variables {
    ingress_rules = {
      bad = { description = "bad", from_port = 6000, to_port = 5000, source_security_group_id = "sg-1" }
    }
  }

  expect_failures = [var.ingress_rules]
}

run "rejects_bad_name" {
  command = plan

  variables {
    name = "Orders--DB"
  }

  expect_failures = [var.name]
}

run "rejects_bad_vpc_id" {
  command = plan

  variables {
    vpc_id = "vpc_123"
  }

  expect_failures = [var.vpc_id]
}
