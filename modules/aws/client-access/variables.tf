variable "name" {
  type        = string
  description = "Name of the guarded group; the -clients group is \"<name>-clients\". Both names are also the groups' Name tags. DNS-safe: lower case letters, digits and single hyphens."

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,245}[a-z0-9]$", var.name)) && !strcontains(var.name, "--")
    error_message = "name must match ^[a-z][a-z0-9-]{0,245}[a-z0-9]$ (start with a letter, end with a letter or digit; room for the -clients suffix) and must not contain \"--\"."
  }
}

variable "description" {
  type        = string
  description = "Description of the guarded group. Required when port is set; must be null when port is null (there is no guarded group)."
  default     = null

  validation {
    condition     = var.description == null || try(length(trimspace(var.description)) > 0 && length(var.description) <= 255 && can(regex("^[A-Za-z0-9 ._\\-:/()#,@\\[\\]+=&;{}!$*]*$", var.description)), false)
    error_message = "description must be null or 1-255 characters of the set AWS allows for group descriptions (letters, digits, spaces and ._-:/()#,@[]+=&;{}!$*)."
  }
}

variable "client_description" {
  type        = string
  description = "Description of the <name>-clients group (checkov CKV_AWS_23 wants a description on every group)."

  validation {
    condition     = length(trimspace(var.client_description)) > 0 && length(var.client_description) <= 255 && can(regex("^[A-Za-z0-9 ._\\-:/()#,@\\[\\]+=&;{}!$*]*$", var.client_description))
    error_message = "client_description must be 1-255 characters of the set AWS allows for group descriptions (letters, digits, spaces and ._-:/()#,@[]+=&;{}!$*)."
  }
}

variable "rule_label" {
  type        = string
  description = "What flows on the port, for rule descriptions: \"<rule_label> from <name>-clients\" (ingress) and \"<rule_label> to <name>\" (egress), e.g. \"postgres\", \"redis\" or \"HTTP 8080\"."
  default     = "tcp"

  validation {
    condition     = length(trimspace(var.rule_label)) > 0 && length(var.rule_label) <= 64 && can(regex("^[A-Za-z0-9 ._\\-:/()#,@+=&;{}!$*]*$", var.rule_label))
    error_message = "rule_label must be 1-64 characters of the set AWS allows in rule descriptions (letters, digits, spaces and ._-:/()#,@+=&;{}!$*)."
  }
}

variable "vpc_id" {
  type        = string
  description = "ID of the VPC both groups belong to."

  validation {
    condition     = can(regex("^vpc-[0-9a-f]+$", var.vpc_id))
    error_message = "vpc_id must look like a VPC ID: vpc- followed by hex digits."
  }
}

variable "port" {
  type        = number
  description = "TCP port the guarded group admits its clients on. Null creates only the <name>-clients group, without rules (for datastores reached over AWS APIs)."
  default     = null

  validation {
    condition     = var.port == null || try(var.port >= 1 && var.port <= 65535 && floor(var.port) == var.port, false)
    error_message = "port must be null or a whole number between 1 and 65535."
  }
}

variable "extra_ingress_rules" {
  type = map(object({
    description              = string
    source_security_group_id = string
  }))
  description = "Further source groups the guarded group admits on the same port (e.g. load balancers), keyed by a static rule name other than \"clients\". Groups only: CIDR sources are not supported. Needs a port."
  default     = {}

  validation {
    condition     = !contains(keys(var.extra_ingress_rules), "clients")
    error_message = "extra_ingress_rules must not use the key \"clients\" (reserved for the <name>-clients rule)."
  }

  validation {
    condition     = alltrue([for r in values(var.extra_ingress_rules) : length(trimspace(r.description)) > 0 && length(r.description) <= 255])
    error_message = "Every extra ingress rule needs a non-empty description of at most 255 characters."
  }

  validation {
    condition     = alltrue([for r in values(var.extra_ingress_rules) : can(regex("^sg-[0-9a-f]+$", r.source_security_group_id))])
    error_message = "Every extra ingress rule's source_security_group_id must be a security group ID (sg- followed by hex digits)."
  }
}

variable "tags" {
  type        = map(string)
  description = "Tags for both groups. A Name tag equal to the group's name is added."
  default     = {}
}

variable "clients" {
  description = "Whether a guarded group (port set) gets its <name>-clients twin and their rules: false for a workload nothing may call (a worker or job), which keeps only the guarded group and var.extra_ingress_rules. Without a port the -clients group is all there is and is always created."
  type        = bool
  default     = true
  nullable    = false
}
