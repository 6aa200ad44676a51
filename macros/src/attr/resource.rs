//! `#[resource(..)]` arguments.

use super::*;

/// `#[resource(prefix = "..", client = "..", crate = "..", error = T, ok_field = "..", openapi = "..")]`.
#[derive(Default)]
pub(crate) struct ResourceArgs {
    pub(crate) prefix: Option<LitStr>,
    pub(crate) client: Option<Ident>,
    /// The path of the runtime crate, when it is not `::restrait`.
    pub(crate) krate: Option<syn::Path>,
    /// `error = Type`: error bodies are decoded as this type too.
    pub(crate) error: Option<syn::Type>,
    /// `ok_field = "ok"`: a 2xx body whose field is `false` is an error.
    pub(crate) ok_field: Option<LitStr>,
    /// `codec = xml`: the codec of bodies and responses.
    pub(crate) codec: Option<crate::codec::CodecName>,
    /// `check = path::to::fn`: a 2xx answer it gives a message for is an error.
    pub(crate) check: Option<syn::Path>,
    /// `openapi = "specs/api.yaml"`: the spec the endpoints are checked against.
    pub(crate) openapi: Option<LitStr>,
}

const RESOURCE_ARGS: &[&str] = &[
    "prefix", "client", "crate", "error", "ok_field", "codec", "check", "openapi",
];

pub(crate) fn parse_resource_args(cx: &Ctxt, args: TokenStream) -> ResourceArgs {
    let mut out = ResourceArgs::default();
    let parser = syn::meta::parser(|meta| {
        if meta.path.is_ident("prefix") {
            let lit: LitStr = meta.value()?.parse()?;
            if let Err(message) = crate::template::check_prefix(&lit.value()) {
                cx.error_spanned_by(&lit, message);
            }
            set_once(cx, &mut out.prefix, lit, &meta, "prefix");
        } else if meta.path.is_ident("client") {
            let lit: LitStr = meta.value()?.parse()?;
            match syn::parse_str::<Ident>(&lit.value()) {
                Ok(ident) => {
                    let ident = Ident::new(&ident.to_string(), lit.span());
                    set_once(cx, &mut out.client, ident, &meta, "client");
                }
                Err(_) => cx.error_spanned_by(
                    &lit,
                    format!(
                        "`client = {:?}` is not a valid type name: write an identifier such as `client = \"UsersApi\"`",
                        lit.value()
                    ),
                ),
            }
        } else if meta.path.is_ident("crate") {
            let lit: LitStr = meta.value()?.parse()?;
            match lit.parse_with(syn::Path::parse_mod_style) {
                Ok(path) => set_once(cx, &mut out.krate, path, &meta, "crate"),
                Err(_) => cx.error_spanned_by(
                    &lit,
                    format!(
                        "`crate = {:?}` is not a path: write the path of the `restrait` crate, e.g. `crate = \"::my_restrait\"`",
                        lit.value()
                    ),
                ),
            }
        } else if meta.path.is_ident("error") {
            let value = meta.value()?;
            if value.peek(LitStr) {
                let lit: LitStr = value.parse()?;
                cx.error_spanned_by(
                    &lit,
                    format!(
                        "`error = {:?}` names a type, not a string: write it without quotes, e.g. `error = {}`",
                        lit.value(),
                        lit.value()
                    ),
                );
            } else {
                let ty: syn::Type = value.parse()?;
                set_once(cx, &mut out.error, ty, &meta, "error");
            }
        } else if meta.path.is_ident("check") {
            let path: syn::Path = meta.value()?.parse()?;
            set_once(cx, &mut out.check, path, &meta, "check");
        } else if meta.path.is_ident("codec") {
            let codec = crate::codec::parse_resource_codec(&meta)?;
            set_once(cx, &mut out.codec, codec, &meta, "codec");
        } else if meta.path.is_ident("ok_field") {
            let lit: LitStr = meta.value()?.parse()?;
            if lit.value().trim().is_empty() {
                cx.error_spanned_by(
                    &lit,
                    "`ok_field` names the body's success flag and cannot be empty: write e.g. `ok_field = \"ok\"`",
                );
            }
            set_once(cx, &mut out.ok_field, lit, &meta, "ok_field");
        } else if meta.path.is_ident("openapi") {
            let lit: LitStr = meta.value()?.parse()?;
            set_once(cx, &mut out.openapi, lit, &meta, "openapi");
        } else {
            unknown_argument(cx, &meta, "`#[resource]`", RESOURCE_ARGS)?;
        }
        Ok(())
    });
    if let Err(error) = parser.parse2(args) {
        cx.syn_error(error);
    }
    out
}
