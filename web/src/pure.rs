//! A memoized view as a plain struct component: drawn again only when its props change.
//!
//! The page's components without state are `Pure<P>`, and those with state struct components,
//! never `#[component]` functions: one function component brings in Yew's hook machinery
//! (~2.4 KB of gzip wasm, measured when the last two went).

use std::marker::PhantomData;
use yew::{Component, Context, Html, Properties};

/// Props that draw themselves.
pub trait View: Properties + PartialEq {
    fn view(&self) -> Html;
}

pub struct Pure<P>(PhantomData<P>);

impl<P: View + 'static> Component for Pure<P> {
    type Message = ();
    type Properties = P;

    fn create(_: &Context<Self>) -> Self {
        Pure(PhantomData)
    }

    fn view(&self, ctx: &Context<Self>) -> Html {
        ctx.props().view()
    }
}
