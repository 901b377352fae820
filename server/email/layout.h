// The one HTML layout every notification email uses, as a Mustache template
// rendered by mstch (which HTML-escapes every {{value}}, attributes too).
// Email clients ignore <style> blocks and CSS layout, so the layout is nested
// tables with inline styles, 600px at most and fluid below that for phones.
#ifndef BACKINSTOCK_SERVER_EMAIL_LAYOUT_H_
#define BACKINSTOCK_SERVER_EMAIL_LAYOUT_H_

namespace backinstock::email {

inline constexpr char kHtmlLayout[] = R"html(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="x-apple-disable-message-reformatting">
<title>{{subject}}</title>
</head>
<body style="margin:0;padding:0;background-color:#f3f4f6;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background-color:#f3f4f6;">
<tr><td align="center" style="padding:24px 12px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="max-width:600px;width:100%;background-color:#ffffff;border-collapse:separate;font-family:Helvetica,Arial,sans-serif;color:#1f2937;">
{{#has_logo}}
<tr><td align="center" style="padding:24px 24px 16px;"><img src="{{logo_url}}" alt="{{sender_name}}" width="160" style="display:block;width:160px;max-width:100%;height:auto;border:0;"></td></tr>
{{/has_logo}}
<tr><td style="background-color:{{color}};padding:28px 24px;"><h1 style="margin:0;font-size:26px;line-height:34px;font-weight:bold;color:{{on_color}};">{{heading}}</h1></td></tr>
{{#has_image}}
<tr><td align="center" style="padding:24px 24px 0;"><img src="{{image_url}}" alt="{{image_alt}}" width="552" style="display:block;width:100%;max-width:552px;height:auto;border:0;"></td></tr>
{{/has_image}}
<tr><td style="padding:24px 24px 0;">
<p style="margin:0;font-size:20px;line-height:28px;font-weight:bold;">{{item_name}}</p>
{{#has_price}}<p style="margin:4px 0 0;font-size:18px;line-height:26px;color:#4b5563;">{{price}}</p>{{/has_price}}
</td></tr>
<tr><td style="padding:16px 24px 0;font-size:16px;line-height:24px;">
{{#paragraphs}}<p style="margin:0 0 16px;">{{#lines}}{{text}}{{^last}}<br>{{/last}}{{/lines}}</p>
{{/paragraphs}}
</td></tr>
{{#has_button}}
<tr><td align="center" style="padding:8px 24px 32px;">
<table role="presentation" cellpadding="0" cellspacing="0" border="0"><tr><td align="center" style="background-color:{{color}};border-radius:6px;">
<a href="{{button_url}}" target="_blank" style="display:inline-block;padding:14px 36px;font-size:17px;line-height:22px;font-weight:bold;color:{{on_color}};text-decoration:none;border-radius:6px;">{{button_text}}</a>
</td></tr></table>
</td></tr>
{{/has_button}}
{{#has_footer}}
<tr><td style="padding:16px 24px 24px;border-top:1px solid #e5e7eb;font-size:12px;line-height:18px;color:#6b7280;">
{{#footer}}<p style="margin:0 0 8px;">{{#lines}}{{text}}{{^last}}<br>{{/last}}{{/lines}}</p>
{{/footer}}
</td></tr>
{{/has_footer}}
</table>
</td></tr>
</table>
</body>
</html>
)html";

}  // namespace backinstock::email

#endif  // BACKINSTOCK_SERVER_EMAIL_LAYOUT_H_
