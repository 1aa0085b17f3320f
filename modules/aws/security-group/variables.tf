variable "name" {
  type        = string
  description = "Name of the security group (also its Name tag). DNS-safe: lower case letters, digits and single hyphens."

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,253}[a-z0-9]$", var.name)) && !strcontains(var.name, "--")
    error_message = "name must match ^[a-z][a-z0-9-]{0,253}[a-z0-9]$ (start with a letter, end with a letter or digit) and must not contain \"--\"."
  }
}

variable "description" {
  type        = string
  description = "Description of the security group. Required: checkov CKV_AWS_23 wants a description on every group."

  validation {
    condition     = length(trimspace(var.description)) > 0 && length(var.description) <= 255 && can(regex("^[A-Za-z0-9 ._\\-:/()#,@\\[\\]+=&;{}!$*]*$", var.description))
    error_message = "description must be 1-255 characters of the set AWS allows for group descriptions (letters, digits, spaces and ._-:/()#,@[]+=&;{}!$*)."
  }
}

variable "vpc_id" {
  type        = string
  description = "ID of the VPC the security group belongs to."

  validation {
    condition     = can(regex("^vpc-[0-9a-f]+$", var.vpc_id))
    error_message = "vpc_id must look like a VPC ID: vpc- followed by hex digits."
  }
}

variable "ingress_rules" {
  type = map(object({
    description              = string
    from_port                = number
    to_port                  = number
    protocol                 = optional(string, "tcp")
    source_security_group_id = optional(string)
    cidr_blocks              = optional(list(string), [])
  }))
  description = "Ingress rules keyed by a static rule name. Each rule admits either one source security group or a list of CIDR blocks, never 0.0.0.0/0 or ::/0."
  default     = {}

  validation {
    condition     = alltrue([for r in values(var.ingress_rules) : length(trimspace(r.description)) > 0])
    error_message = "Every ingress rule needs a non-empty description."
  }

  validation {
    condition     = alltrue([for r in values(var.ingress_rules) : (r.source_security_group_id == null) != (length(r.cidr_blocks) == 0)])
    error_message = "Every ingress rule must set exactly one of source_security_group_id or cidr_blocks."
  }

  validation {
    condition     = alltrue(flatten([for r in values(var.ingress_rules) : [for c in r.cidr_blocks : can(cidrhost(c, 0)) && !contains(["0.0.0.0/0", "::/0"], c)]]))
    error_message = "Ingress cidr_blocks must be valid CIDR blocks and must not be 0.0.0.0/0 or ::/0."
  }

  validation {
    condition     = alltrue([for r in values(var.ingress_rules) : r.from_port >= 0 && r.to_port <= 65535 && r.from_port <= r.to_port])
    error_message = "Ingress ports must satisfy 0 <= from_port <= to_port <= 65535."
  }

  validation {
    condition     = alltrue([for r in values(var.ingress_rules) : contains(["tcp", "udp", "icmp"], r.protocol)])
    error_message = "Ingress protocol must be one of tcp, udp, icmp (\"-1\", all protocols, is not allowed)."
  }
}

variable "egress_rules" {
  type = map(object({
    description                   = string
    from_port                     = number
    to_port                       = number
    protocol                      = optional(string, "tcp")
    destination_security_group_id = optional(string)
    cidr_blocks                   = optional(list(string), [])
  }))
  description = "Egress rules keyed by a static rule name. Each rule reaches either one destination security group or a list of CIDR blocks, never 0.0.0.0/0 or ::/0. With no egress rules the group allows no egress at all."
  default     = {}

  validation {
    condition     = alltrue([for r in values(var.egress_rules) : length(trimspace(r.description)) > 0])
    error_message = "Every egress rule needs a non-empty description."
  }

  validation {
    condition     = alltrue([for r in values(var.egress_rules) : (r.destination_security_group_id == null) != (length(r.cidr_blocks) == 0)])
    error_message = "Every egress rule must set exactly one of destination_security_group_id or cidr_blocks."
  }

  validation {
    condition     = alltrue(flatten([for r in values(var.egress_rules) : [for c in r.cidr_blocks : can(cidrhost(c, 0)) && !contains(["0.0.0.0/0", "::/0"], c)]]))
    error_message = "Egress cidr_blocks must be valid CIDR blocks and must not be 0.0.0.0/0 or ::/0."
  }

  validation {
    condition     = alltrue([for r in values(var.egress_rules) : r.from_port >= 0 && r.to_port <= 65535 && r.from_port <= r.to_port])
    error_message = "Egress ports must satisfy 0 <= from_port <= to_port <= 65535."
  }

  validation {
    condition     = alltrue([for r in values(var.egress_rules) : contains(["tcp", "udp", "icmp"], r.protocol)])
    error_message = "Egress protocol must be one of tcp, udp, icmp (\"-1\", all protocols, is not allowed)."
  }
}

variable "tags" {
  type        = map(string)
  description = "Tags for the security group. A Name tag equal to var.name is added."
  default     = {}
}
