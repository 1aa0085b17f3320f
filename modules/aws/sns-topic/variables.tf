variable "name" {
  description = "Topic name; also the KMS alias alias/<name>."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,256}$", var.name))
    error_message = "name must be 1-256 letters, digits, hyphens or underscores (an SNS standard topic name)."
  }
}

variable "email_endpoints" {
  description = "Email addresses subscribed to the topic (each must confirm the subscription)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for e in var.email_endpoints : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", e))])
    error_message = "email_endpoints must be email addresses."
  }
}

variable "https_endpoints" {
  description = "HTTPS endpoints subscribed to the topic, for example an incident tool's integration URL."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for e in var.https_endpoints : startswith(e, "https://")])
    error_message = "https_endpoints must be https:// URLs."
  }
}

variable "publisher_services" {
  description = "AWS service principals allowed to publish to the topic and use its key (scoped to this account)."
  type        = list(string)
  default     = ["cloudwatch.amazonaws.com"]
}

variable "tags" {
  description = "Tags for the topic and its key."
  type        = map(string)
  default     = {}
}
