# --- Queue inputs ---

variable "fifo" {
  type        = bool
  description = "FIFO queue (names get the .fifo suffix)."
  default     = false
}

variable "dead_letter_queue" {
  type        = bool
  description = "Create a dead-letter queue <name>-dlq with a redrive policy."
  default     = true
}

variable "max_receive_count" {
  type        = number
  description = "Receives before a message moves to the dead-letter queue (1-1000)."
  default     = 5

  validation {
    condition     = var.max_receive_count >= 1 && var.max_receive_count <= 1000 && floor(var.max_receive_count) == var.max_receive_count
    error_message = "max_receive_count must be a whole number between 1 and 1000."
  }
}

variable "visibility_timeout_seconds" {
  type        = number
  description = "Visibility timeout in seconds (0-43200)."
  default     = 30

  validation {
    condition     = var.visibility_timeout_seconds >= 0 && var.visibility_timeout_seconds <= 43200 && floor(var.visibility_timeout_seconds) == var.visibility_timeout_seconds
    error_message = "visibility_timeout_seconds must be a whole number between 0 and 43200."
  }
}

variable "message_retention_seconds" {
  type        = number
  description = "Message retention in seconds (60-1209600)."
  default     = 345600

  validation {
    condition     = var.message_retention_seconds >= 60 && var.message_retention_seconds <= 1209600 && floor(var.message_retention_seconds) == var.message_retention_seconds
    error_message = "message_retention_seconds must be a whole number between 60 and 1209600 (14 days)."
  }
}

variable "allow_replacement" {
  type        = bool
  description = "Allow a plan that replaces the queue (a FIFO toggle), deleting its messages. false (the generated roots): such a plan fails."
  default     = false
}

variable "subscriptions" {
  type = list(object({
    topic_arn            = string
    filter_policy        = optional(string)
    raw_message_delivery = optional(bool, false)
  }))
  description = "SNS topics (of this account, usually other services') this queue subscribes to: each gets a subscription with the queue's dead-letter queue as its redrive target, and the queue policy admits exactly these topics. filter_policy: a JSON filter policy on message attributes, null for every message."
  default     = []

  validation {
    condition     = alltrue([for s in var.subscriptions : can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}(\\.fifo)?$", s.topic_arn))])
    error_message = "subscriptions[*].topic_arn must be SNS topic ARNs (arn:<partition>:sns:<region>:<account>:<topic>)."
  }

  validation {
    condition     = length(distinct([for s in var.subscriptions : s.topic_arn])) == length(var.subscriptions)
    error_message = "subscriptions must name each topic once."
  }

  validation {
    condition     = alltrue([for s in var.subscriptions : s.filter_policy == null || can(keys(jsondecode(s.filter_policy)))])
    error_message = "subscriptions[*].filter_policy must be null or a JSON object."
  }

  # Filter policy constraints in Amazon SNS: at most five keys, and attribute filtering (this
  # subscription's scope) takes a list of values per key, no nested policy.
  # https://docs.aws.amazon.com/sns/latest/dg/subscription-filter-policy-constraints.html
  validation {
    condition = alltrue([
      for s in var.subscriptions : s.filter_policy == null || try(
        length(keys(jsondecode(s.filter_policy))) <= 5 && alltrue([for v in values(jsondecode(s.filter_policy)) : can(concat(v, [])) && length(v) > 0]),
        false,
      )
    ])
    error_message = "subscriptions[*].filter_policy: at most 5 attribute names, each with a non-empty list of values (SNS attribute filtering takes no nested policy)."
  }
}
